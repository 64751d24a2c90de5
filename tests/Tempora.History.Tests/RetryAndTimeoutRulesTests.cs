using Google.Protobuf.WellKnownTypes;
using Tempora.History.Execution;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;

namespace Tempora.History.Tests;

public class RetryAndTimeoutRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(8, 100)] // 128 s capped at 100 × initial
    public void NextBackoff_DefaultPolicy_IsExponentialAndCapped(int attempt, int expectedSeconds)
    {
        var (delay, state) = RetryPolicies.NextBackoff(RetryPolicies.WithDefaults(null), attempt, new Failure(), Now, null);
        Assert.Equal(RetryState.InProgress, state);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
    }

    [Fact]
    public void NextBackoff_PastExpiration_StopsWithTimeout()
    {
        var (delay, state) = RetryPolicies.NextBackoff(RetryPolicies.WithDefaults(null), 3, new Failure(), Now, Now + TimeSpan.FromSeconds(2));
        Assert.Null(delay);
        Assert.Equal(RetryState.Timeout, state);
    }

    [Fact]
    public void NextBackoff_NonRetryableOnLastAttempt_NonRetryableFailure()
    {
        var policy = RetryPolicies.WithDefaults(new RetryPolicy { MaximumAttempts = 2 });
        var failure = new Failure { ApplicationFailureInfo = new ApplicationFailureInfo { NonRetryable = true } };
        var (delay, state) = RetryPolicies.NextBackoff(policy, 2, failure, Now, null);
        Assert.Null(delay);
        Assert.Equal(RetryState.NonRetryableFailure, state);
    }

    [Fact]
    public void NextBackoff_ApplicationNextRetryDelay_Wins()
    {
        var failure = new Failure { ApplicationFailureInfo = new ApplicationFailureInfo { NextRetryDelay = Duration.FromTimeSpan(TimeSpan.FromMinutes(7)) } };
        var (delay, _) = RetryPolicies.NextBackoff(RetryPolicies.WithDefaults(null), 1, failure, Now, null);
        Assert.Equal(TimeSpan.FromMinutes(7), delay);
    }

    [Fact]
    public void IsRetryable_FollowsTemporalOrder()
    {
        var policy = RetryPolicies.WithDefaults(new RetryPolicy { NonRetryableErrorTypes = { "Bad" } });
        Assert.False(RetryPolicies.IsRetryable(new Failure { CanceledFailureInfo = new CanceledFailureInfo() }, policy));
        Assert.False(RetryPolicies.IsRetryable(new Failure { ApplicationFailureInfo = new ApplicationFailureInfo { Type = "Bad" } }, policy));
        Assert.False(RetryPolicies.IsRetryable(new Failure { ApplicationFailureInfo = new ApplicationFailureInfo { NonRetryable = true } }, policy));
        Assert.True(RetryPolicies.IsRetryable(new Failure { TimeoutFailureInfo = new TimeoutFailureInfo { TimeoutType = TimeoutType.StartToClose } }, policy));
        Assert.False(RetryPolicies.IsRetryable(new Failure { TimeoutFailureInfo = new TimeoutFailureInfo { TimeoutType = TimeoutType.ScheduleToStart } }, policy));
        Assert.True(RetryPolicies.IsRetryable(new Failure { ApplicationFailureInfo = new ApplicationFailureInfo { Type = "Other" } }, policy));
    }

    [Fact]
    public void WithDefaults_InvalidCoefficient_Throws() =>
        Assert.Throws<Core.Errors.InvalidArgumentException>(() => RetryPolicies.WithDefaults(new RetryPolicy { BackoffCoefficient = 0.5 }));

    [Fact]
    public void Normalize_ScheduleToCloseOnly_FillsTheOthers()
    {
        var t = ActivityTimeouts.Normalize(TimeSpan.FromSeconds(60), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(90), null)!.Value;
        Assert.Equal(TimeSpan.FromSeconds(60), t.ScheduleToStart);
        Assert.Equal(TimeSpan.FromSeconds(60), t.StartToClose);
        Assert.Equal(TimeSpan.FromSeconds(60), t.Heartbeat); // capped at start-to-close
    }

    [Fact]
    public void Normalize_StartToCloseOnly_UsesRunTimeoutForTheRest()
    {
        var t = ActivityTimeouts.Normalize(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(10), TimeSpan.Zero, TimeSpan.FromMinutes(5))!.Value;
        Assert.Equal(TimeSpan.FromMinutes(5), t.ScheduleToClose);
        Assert.Equal(TimeSpan.FromMinutes(5), t.ScheduleToStart);
        Assert.Equal(TimeSpan.FromSeconds(10), t.StartToClose);
    }

    [Fact]
    public void Normalize_NoTimeouts_IsRejected() =>
        Assert.Null(ActivityTimeouts.Normalize(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, null));
}
