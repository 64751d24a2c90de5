using Tempora.Core.Metrics;
using Tempora.History.Execution;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Updates;

/// <summary>Workflow outcome and activity timeout metrics of a committed transition.</summary>
internal sealed class CommittedTransitionMetrics(IMetrics metrics)
{
    public void Count(Transition t, string namespaceName)
    {
        if (t.StatusChanged && !t.State.IsOpen)
        {
            var outcome = t.State.Status switch
            {
                WorkflowExecutionStatus.Completed => MetricNames.WorkflowSuccess,
                WorkflowExecutionStatus.Failed => MetricNames.WorkflowFailed,
                WorkflowExecutionStatus.TimedOut => MetricNames.WorkflowTimeout,
                WorkflowExecutionStatus.Terminated => MetricNames.WorkflowTerminate,
                WorkflowExecutionStatus.Canceled => MetricNames.WorkflowCancel,
                WorkflowExecutionStatus.ContinuedAsNew => MetricNames.WorkflowContinuedAsNew,
                _ => null,
            };
            if (outcome is not null)
            {
                metrics.Increment(outcome, namespaceName);
            }
        }
        foreach (var type in t.ActivityTimeouts)
        {
            var timeout = type switch
            {
                TimeoutType.ScheduleToStart => MetricNames.ScheduleToStartTimeout,
                TimeoutType.StartToClose => MetricNames.StartToCloseTimeout,
                TimeoutType.ScheduleToClose => MetricNames.ScheduleToCloseTimeout,
                _ => MetricNames.HeartbeatTimeout,
            };
            metrics.Increment(timeout, namespaceName);
        }
    }
}
