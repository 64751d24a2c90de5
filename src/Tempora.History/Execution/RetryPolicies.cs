using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Tempora.Core.Errors;
using Failure = Temporalio.Api.Failure.V1.Failure;

namespace Tempora.History.Execution;

/// <summary>Temporal's retry policy defaults, validation and backoff (temporal-compat.md §4.2).</summary>
internal static class RetryPolicies
{
    private static readonly TimeSpan DefaultInitialInterval = TimeSpan.FromSeconds(1);

    /// <summary>Fills unset fields with Temporal's defaults and validates the result.</summary>
    public static RetryPolicy WithDefaults(RetryPolicy? policy)
    {
        var p = policy?.Clone() ?? new RetryPolicy();
        if (p.InitialInterval is null || p.InitialInterval.ToTimeSpan() == TimeSpan.Zero)
        {
            p.InitialInterval = Duration.FromTimeSpan(DefaultInitialInterval);
        }
        if (p.BackoffCoefficient == 0)
        {
            p.BackoffCoefficient = 2.0;
        }
        if (p.MaximumInterval is null || p.MaximumInterval.ToTimeSpan() == TimeSpan.Zero)
        {
            // 100 × the initial interval, within the longest duration Temporal takes (a longer one could not be added to a date).
            var maximum = p.InitialInterval.ToTimeSpan() * 100;
            p.MaximumInterval = Duration.FromTimeSpan(maximum < Validation.WellFormedFields.MaxDuration ? maximum : Validation.WellFormedFields.MaxDuration);
        }
        Validate(p);
        return p;
    }

    public static void Validate(RetryPolicy p)
    {
        if (p.MaximumAttempts == 1)
        {
            return; // no retries, so the other fields cannot matter
        }
        if (p.InitialInterval is not null && p.InitialInterval.ToTimeSpan() < TimeSpan.Zero)
        {
            throw new InvalidArgumentException("InitialInterval cannot be negative on retry policy.");
        }
        if (!double.IsFinite(p.BackoffCoefficient))
        {
            throw new InvalidArgumentException("BackoffCoefficient must be a finite number on retry policy.");
        }
        if (p.MaximumInterval is not null && p.MaximumInterval.ToTimeSpan() < TimeSpan.Zero)
        {
            throw new InvalidArgumentException("MaximumInterval cannot be negative on retry policy.");
        }
        if (p.BackoffCoefficient < 1)
        {
            throw new InvalidArgumentException("BackoffCoefficient cannot be less than 1 on retry policy.");
        }
        if (p.MaximumInterval is not null && p.InitialInterval is not null && p.MaximumInterval.ToTimeSpan() > TimeSpan.Zero
            && p.MaximumInterval.ToTimeSpan() < p.InitialInterval.ToTimeSpan())
        {
            throw new InvalidArgumentException("MaximumInterval cannot be less than InitialInterval on retry policy.");
        }
        if (p.MaximumAttempts < 0)
        {
            throw new InvalidArgumentException("MaximumAttempts cannot be negative on retry policy.");
        }
        foreach (var type in p.NonRetryableErrorTypes)
        {
            // "TemporalTimeout:<type>" names a timeout (IsRetryable); any other suffix could never match one.
            if (type.StartsWith(TimeoutFailurePrefix, StringComparison.Ordinal) && !IsTimeoutTypeName(type[TimeoutFailurePrefix.Length..]))
            {
                throw new InvalidArgumentException($"Invalid timeout type value: {type[TimeoutFailurePrefix.Length..]}.");
            }
        }
    }

    private const string TimeoutFailurePrefix = "TemporalTimeout:";

    /// <summary>A timeout type by its short name (StartToClose) or enum name (TIMEOUT_TYPE_START_TO_CLOSE), as Temporal's TimeoutTypeFromString reads it; never Unspecified.</summary>
    private static bool IsTimeoutTypeName(string name) => name is "StartToClose" or "ScheduleToStart" or "ScheduleToClose" or "Heartbeat"
        or "TIMEOUT_TYPE_START_TO_CLOSE" or "TIMEOUT_TYPE_SCHEDULE_TO_START" or "TIMEOUT_TYPE_SCHEDULE_TO_CLOSE" or "TIMEOUT_TYPE_HEARTBEAT";

    /// <summary>Whether a failure may be retried under the policy (order as in §4.2).</summary>
    public static bool IsRetryable(Failure? failure, RetryPolicy policy)
    {
        if (failure is null)
        {
            return true;
        }
        if (failure.TerminatedFailureInfo is not null || failure.CanceledFailureInfo is not null)
        {
            return false;
        }
        if (failure.TimeoutFailureInfo is { } timeout)
        {
            return timeout.TimeoutType switch
            {
                TimeoutType.StartToClose => !policy.NonRetryableErrorTypes.Contains("TemporalTimeout:StartToClose"),
                TimeoutType.Heartbeat => !policy.NonRetryableErrorTypes.Contains("TemporalTimeout:Heartbeat"),
                _ => false,
            };
        }
        if (failure.ServerFailureInfo is { NonRetryable: true })
        {
            return false;
        }
        if (failure.ApplicationFailureInfo is { } app)
        {
            return !app.NonRetryable && !policy.NonRetryableErrorTypes.Contains(app.Type);
        }
        return true;
    }

    /// <summary>
    /// The delay before the next attempt after <paramref name="attempt"/> failed, or the retry state that ends
    /// retrying. <paramref name="expiration"/> is the time after which no attempt may start (null: none).
    /// </summary>
    public static (TimeSpan? Delay, RetryState State) NextBackoff(
        RetryPolicy policy, int attempt, Failure? failure, DateTimeOffset now, DateTimeOffset? expiration)
    {
        // Retryability first, then attempts: a non-retryable failure on the last attempt is NON_RETRYABLE_FAILURE
        // (Temporal's getBackoffInterval and RetryActivity, service/history/workflow/retry.go).
        if (!IsRetryable(failure, policy))
        {
            return (null, RetryState.NonRetryableFailure);
        }
        if (policy.MaximumAttempts > 0 && attempt >= policy.MaximumAttempts)
        {
            return (null, RetryState.MaximumAttemptsReached);
        }
        var initial = policy.InitialInterval?.ToTimeSpan() ?? DefaultInitialInterval;
        var maximum = policy.MaximumInterval?.ToTimeSpan() ?? TimeSpan.Zero;
        TimeSpan interval;
        if (failure?.ApplicationFailureInfo?.NextRetryDelay is { } nextDelay && nextDelay.ToTimeSpan() > TimeSpan.Zero)
        {
            interval = nextDelay.ToTimeSpan(); // the application's own delay also replaces the maximum-interval cap
        }
        else
        {
            var ticks = initial.Ticks * Math.Pow(policy.BackoffCoefficient, attempt - 1);
            interval = double.IsFinite(ticks) && ticks < TimeSpan.MaxValue.Ticks ? TimeSpan.FromTicks((long)Math.Max(0, ticks)) : TimeSpan.MaxValue;
            if (maximum > TimeSpan.Zero && interval > maximum)
            {
                interval = maximum;
            }
        }
        if (expiration is { } exp && (interval == TimeSpan.MaxValue || now + interval > exp))
        {
            return (null, RetryState.Timeout);
        }
        return (interval, RetryState.InProgress);
    }
}
