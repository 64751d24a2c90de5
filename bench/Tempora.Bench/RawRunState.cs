using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Converters;

namespace Tempora.Bench;

/// <summary>
/// What the raw worker knows of one run of <see cref="BenchWorkflow"/>, built from its history events (the whole
/// history on a normal queue, the new events on the sticky queue): no replay, just the counts that decide the next
/// command, which is the one the SDK sends at that point of the workflow.
/// </summary>
internal sealed class RawRunState
{
    private static readonly Duration StartToClose = Duration.FromTimeSpan(TimeSpan.FromSeconds(60));

    private int _activities;
    private int _scheduled;
    private int _completed;
    private Payload? _last;
    private string? _failure;

    /// <summary>Takes in the events of one workflow task, oldest first.</summary>
    public void Apply(IEnumerable<HistoryEvent> events)
    {
        foreach (var e in events)
        {
            switch (e.EventType)
            {
                case EventType.WorkflowExecutionStarted:
                    var input = DataConverter.Default.PayloadConverter.ToValue<BenchInput>(e.WorkflowExecutionStartedEventAttributes.Input.Payloads_[0]);
                    _activities = input.Activities;
                    _last = DataConverter.Default.PayloadConverter.ToPayload(input.Payload);
                    break;
                case EventType.ActivityTaskScheduled:
                    _scheduled++;
                    break;
                case EventType.ActivityTaskCompleted:
                    _completed++;
                    _last = e.ActivityTaskCompletedEventAttributes.Result.Payloads_[0];
                    break;
                case EventType.ActivityTaskFailed or EventType.ActivityTaskTimedOut or EventType.ActivityTaskCanceled:
                    _failure = $"activity {e.EventType}";
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>
    /// The command of this workflow task (null: nothing to do yet): the next activity, with the previous one's
    /// result as input, or completion with the last result; a failed activity fails the workflow.
    /// </summary>
    public Command? Next(string taskQueue)
    {
        if (_last is null)
        {
            throw new InvalidOperationException("a workflow task without the run's started event and no cached state");
        }
        if (_failure is not null)
        {
            return new Command
            {
                CommandType = CommandType.FailWorkflowExecution,
                FailWorkflowExecutionCommandAttributes = new() { Failure = new() { Message = _failure, ApplicationFailureInfo = new() { Type = "RawBench" } } },
            };
        }
        if (_completed < _scheduled)
        {
            return null;
        }
        if (_completed < _activities)
        {
            return new Command
            {
                CommandType = CommandType.ScheduleActivityTask,
                ScheduleActivityTaskCommandAttributes = new()
                {
                    // The SDK numbers a workflow's activities from 1 in the order it schedules them.
                    ActivityId = (_scheduled + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ActivityType = new ActivityType { Name = "Echo" },
                    TaskQueue = new() { Name = taskQueue, Kind = TaskQueueKind.Normal },
                    Input = new Payloads { Payloads_ = { _last } },
                    StartToCloseTimeout = StartToClose,
                },
            };
        }
        return new Command
        {
            CommandType = CommandType.CompleteWorkflowExecution,
            CompleteWorkflowExecutionCommandAttributes = new() { Result = new Payloads { Payloads_ = { _last } } },
        };
    }
}
