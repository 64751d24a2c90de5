using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Persistence;
using Tempora.Persistence.Schedules;
using Tempora.Visibility;
using Tempora.Worker.Schedules.Specs;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Schedules;

/// <summary>
/// The Schedule API after the frontend has checked the namespace: each change is one conditional write of the
/// schedule's row (read, apply, write at the version read; a lost race reads again), then the schedule's driver is
/// woken. The requests about one schedule are routed to the owner of its shard, whose runner drives it.
/// </summary>
public sealed class ScheduleService(IScheduleStore store, ScheduleRunner runner, IShardOwnership ownership, TimeProvider time)
{
    private const int MaxRounds = 10;

    public async Task<CreateScheduleResponse> CreateAsync(NamespaceRecord ns, CreateScheduleRequest request, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var state = Checked(() => ScheduleMachine.Create(request, ns.Name, now));
        SearchAttributeValues.Validate(request.SearchAttributes, ns.CustomSearchAttributes);
        var key = new ScheduleKey(ns.Id, request.ScheduleId);
        var record = new ScheduleRecord(ns.Id, request.ScheduleId, runner.ShardOf(key), 1, now, state.ToBytes());
        try
        {
            await store.WriteAsync(new ScheduleWrite(ns.Id, request.ScheduleId, 0, record,
                ScheduleVisibilityRecord.Of(key, state, 1, ns.CustomSearchAttributes, now)), ct);
        }
        catch (ScheduleConditionFailedException)
        {
            var existing = await store.GetAsync(ns.Id, request.ScheduleId, ct);
            if (existing is not null && request.RequestId.Length > 0 && ScheduleState.FromBytes(existing.State) is { } other
                && other.CreateRequestId == request.RequestId)
            {
                return new CreateScheduleResponse { ConflictToken = ScheduleMachine.ConflictTokenBytes(other.ConflictToken) }; // a retry of the create
            }
            // The SDKs know a taken schedule id by AlreadyExists (Temporal answers it as its scheduler workflow's).
            throw new WorkflowAlreadyStartedException($"Schedule with ID {request.ScheduleId} is already registered.", "", "", "");
        }
        runner.Wake(key);
        return new CreateScheduleResponse { ConflictToken = ScheduleMachine.ConflictTokenBytes(state.ConflictToken) };
    }

    public async Task<DescribeScheduleResponse> DescribeAsync(NamespaceRecord ns, DescribeScheduleRequest request, CancellationToken ct)
    {
        var record = await GetAsync(ns, request.ScheduleId, ct);
        if (record.NextWakeTime is { } due && due <= time.GetUtcNow())
        {
            await runner.CatchUpAsync(new ScheduleKey(ns.Id, request.ScheduleId), ct);
            record = await GetAsync(ns, request.ScheduleId, ct);
        }
        return ScheduleMachine.Describe(ScheduleState.FromBytes(record.State), request.ScheduleId, time.GetUtcNow());
    }

    public async Task<UpdateScheduleResponse> UpdateAsync(NamespaceRecord ns, UpdateScheduleRequest request, CancellationToken ct)
    {
        SearchAttributeValues.Validate(request.SearchAttributes, ns.CustomSearchAttributes);
        await ChangeAsync(ns, request.ScheduleId, (state, now) =>
        {
            if (!ScheduleMachine.IsCurrentConflictToken(state, request.ConflictToken))
            {
                // Temporal's workflow-based scheduler dropped such an update silently; its newer one refuses it so.
                throw new FailedPreconditionException("mismatched conflict token");
            }
            Checked(() => ScheduleMachine.ApplyUpdate(state, request, now));
        }, ct);
        return new UpdateScheduleResponse();
    }

    public async Task<PatchScheduleResponse> PatchAsync(NamespaceRecord ns, PatchScheduleRequest request, CancellationToken ct)
    {
        if (request.Patch is null)
        {
            throw new InvalidArgumentException("Patch is not set on request.");
        }
        await ChangeAsync(ns, request.ScheduleId, (state, now) => Checked(() => ScheduleMachine.ApplyPatch(state, request.Patch, now)), ct);
        return new PatchScheduleResponse();
    }

    public async Task<DeleteScheduleResponse> DeleteAsync(NamespaceRecord ns, DeleteScheduleRequest request, CancellationToken ct)
    {
        for (var round = 0; ; round++)
        {
            var record = await GetAsync(ns, request.ScheduleId, ct);
            var key = new ScheduleKey(ns.Id, request.ScheduleId);
            try
            {
                // The store deletes the visibility row with it; workflows the schedule started run on, as on Temporal.
                await store.WriteAsync(new ScheduleWrite(ns.Id, request.ScheduleId, record.Version, null, null), ct);
                runner.Wake(key);
                return new DeleteScheduleResponse();
            }
            catch (ScheduleConditionFailedException) when (round < MaxRounds)
            {
            }
        }
    }

    public async Task<ListScheduleMatchingTimesResponse> ListMatchingTimesAsync(NamespaceRecord ns, ListScheduleMatchingTimesRequest request,
        CancellationToken ct)
    {
        var record = await GetAsync(ns, request.ScheduleId, ct);
        var state = ScheduleState.FromBytes(record.State);
        var start = request.StartTime?.ToDateTimeOffset() ?? time.GetUtcNow();
        var end = request.EndTime?.ToDateTimeOffset() ?? start;
        return new ListScheduleMatchingTimesResponse { StartTime = { ScheduleMachine.MatchingTimes(state, request.ScheduleId, start, end) } };
    }

    private async Task ChangeAsync(NamespaceRecord ns, string scheduleId, Action<ScheduleState, DateTimeOffset> change, CancellationToken ct)
    {
        var key = new ScheduleKey(ns.Id, scheduleId);
        // What was due before the change happens first, as in Temporal's scheduler loop: an update or a pause
        // applies from now on. (A schedule that does not exist is found out by the read below.)
        await runner.CatchUpAsync(key, ct);
        for (var round = 0; ; round++)
        {
            var record = await GetAsync(ns, scheduleId, ct);
            var state = ScheduleState.FromBytes(record.State);
            var now = time.GetUtcNow();
            change(state, now);
            var version = record.Version + 1;
            try
            {
                await store.WriteAsync(new ScheduleWrite(ns.Id, scheduleId, record.Version,
                    record with { Version = version, NextWakeTime = now, State = state.ToBytes() },
                    ScheduleVisibilityRecord.Of(key, state, version, ns.CustomSearchAttributes, now)), ct);
                runner.Wake(key);
                return;
            }
            catch (ScheduleConditionFailedException) when (round < MaxRounds)
            {
                // the schedule fired (or another request changed it) meanwhile: apply the change to what it is now
            }
        }
    }

    private async Task<ScheduleRecord> GetAsync(NamespaceRecord ns, string scheduleId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(scheduleId))
        {
            throw new InvalidArgumentException("ScheduleId is not set on request.");
        }
        if (!ownership.IsLocal(ns.Id, SchedulerWorkflowIds.Of(scheduleId)))
        {
            // A request is routed to the schedule's owner; one that arrives elsewhere (the shard just moved) retries.
            throw new UnavailableException($"Schedule {scheduleId} is served by another replica; retry.");
        }
        return await store.GetAsync(ns.Id, scheduleId, ct) ?? throw new EntityNotFoundException("schedule not found");
    }

    private static T Checked<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ScheduleSpecException e)
        {
            throw new InvalidArgumentException(e.Message);
        }
        catch (ScheduleRequestException e)
        {
            throw new InvalidArgumentException(e.Message);
        }
    }

    private static void Checked(Action action) => Checked(() =>
    {
        action();
        return 0;
    });
}
