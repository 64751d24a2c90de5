using Google.Protobuf.WellKnownTypes;
using Tempora.History.Execution;
using Tempora.History.Validation;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Tests;

public class WellFormedFieldsTests
{
    [Fact]
    public void Problem_DurationInRepeatedNestedMessage_NamesItsPath()
    {
        var request = new RespondWorkflowTaskCompletedRequest();
        request.Commands.Add(new Command());
        request.Commands.Add(new Command
        {
            StartTimerCommandAttributes = new StartTimerCommandAttributes { StartToFireTimeout = new Duration { Seconds = 1, Nanos = -1 } },
        });

        var problem = WellFormedFields.Problem(request);

        Assert.Equal("Invalid RespondWorkflowTaskCompletedRequest.commands[1].start_timer_command_attributes.start_to_fire_timeout: "
            + "duration has seconds and nanos with different signs.", problem);
    }

    [Fact]
    public void Problem_SkippedField_IsNotLookedInto()
    {
        var request = new RespondWorkflowTaskCompletedRequest();
        request.Commands.Add(new Command { CommandType = (CommandType)99 });

        Assert.NotNull(WellFormedFields.Problem(request));
        Assert.Null(WellFormedFields.Problem(request, field => field.Name == "commands"));
    }

    [Fact]
    public void Problem_UnknownEnumInMapValue_IsFound()
    {
        var request = new StartWorkflowExecutionRequest { Memo = new Memo() };
        request.Memo.Fields["k"] = new Payload();
        Assert.Null(WellFormedFields.Problem(request));

        request.WorkflowIdReusePolicy = (WorkflowIdReusePolicy)(-1);

        Assert.Contains("workflow_id_reuse_policy: -1 is not a value of WorkflowIdReusePolicy", WellFormedFields.Problem(request));
    }

    [Fact]
    public void Problem_DurationOverHundredYears_IsCappedInPlace()
    {
        var request = new StartWorkflowExecutionRequest { WorkflowRunTimeout = new Duration { Seconds = long.MaxValue, Nanos = 5 } };

        Assert.Null(WellFormedFields.Problem(request));

        Assert.Equal(WellFormedFields.MaxDuration, request.WorkflowRunTimeout.ToTimeSpan());
    }

    [Fact]
    public void Problem_NaNInRetryPolicy_IsFound()
    {
        var request = new StartWorkflowExecutionRequest { RetryPolicy = new RetryPolicy { BackoffCoefficient = double.NaN } };

        Assert.Equal("Invalid StartWorkflowExecutionRequest.retry_policy.backoff_coefficient: NaN is not a finite number.",
            WellFormedFields.Problem(request));
    }

    [Fact]
    public void WithDefaults_OnlyMaximumAttempts_FillsTemporalsDefaults()
    {
        var policy = RetryPolicies.WithDefaults(new RetryPolicy { MaximumAttempts = 4 });

        Assert.Equal(4, policy.MaximumAttempts);
        Assert.Equal(2.0, policy.BackoffCoefficient);
        Assert.Equal(TimeSpan.FromSeconds(1), policy.InitialInterval.ToTimeSpan());
        Assert.Equal(TimeSpan.FromSeconds(100), policy.MaximumInterval.ToTimeSpan());
    }

    [Fact]
    public void WithDefaults_HundredYearInitialInterval_KeepsTheMaximumWithinHundredYears()
    {
        var policy = RetryPolicies.WithDefaults(new RetryPolicy { InitialInterval = Duration.FromTimeSpan(WellFormedFields.MaxDuration) });

        Assert.Equal(WellFormedFields.MaxDuration, policy.MaximumInterval.ToTimeSpan());
    }
}
