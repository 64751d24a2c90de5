using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Versioning;
using Tempora.Matching.Deployments;
using Tempora.Persistence.Sqlite;

namespace Tempora.Matching.Tests;

/// <summary>
/// The deployment service's checks that need matching: a proposed current or ramping version must have every task
/// queue still active in the current version (Temporal 1.28's missing task queues check), and registration failures
/// answer as 1.28's. On an in-memory SQLite store and a matching engine on a fake clock.
/// </summary>
public sealed class WorkerDeploymentServiceTests : IAsyncLifetime
{
    private readonly MatchingFixture _matching = new();
    private readonly CountingPropagation _propagation = new();
    private SqlitePersistence _store = null!;

    public async Task InitializeAsync() => _store = await SqlitePersistence.OpenAsync(null, migrate: true, NullLogger.Instance, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _matching.Dispose();
    }

    private WorkerDeploymentService Service => new(_store.WorkerDeployments,
        new VersionDrainage(_store.Visibility, new WorkerDeploymentOptions()), _matching.Matching, _propagation, _matching.Clock, new());

    private DeploymentRegistrar? _registrar;

    private DeploymentRegistrar Registrar => _registrar ??= new(_store.WorkerDeployments, _matching.Matching, _propagation, _matching.Clock,
        new WorkerDeploymentOptions { RegistrationErrorBackoff = TimeSpan.Zero }, NullLogger<DeploymentRegistrar>.Instance);

    [Fact]
    public async Task ProposedVersion_MissingAQueueWithABacklogInTheCurrentOne_IsRefused_UnlessIgnored()
    {
        await Registrar.EnsureRegisteredAsync("ns-id", new("dep", "b1"), "tq-a", TaskKind.Workflow, default);
        await Registrar.EnsureRegisteredAsync("ns-id", new("dep", "b1"), "tq-b", TaskKind.Workflow, default);
        await Registrar.EnsureRegisteredAsync("ns-id", new("dep", "b2"), "tq-a", TaskKind.Workflow, default);
        Assert.Equal(3, _propagation.Count); // each registration that added something
        await Registrar.EnsureRegisteredAsync("ns-id", new("dep", "b2"), "tq-a", TaskKind.Workflow, default);
        Assert.Equal(3, _propagation.Count); // nothing new: nothing to propagate

        await Service.SetCurrentAsync("ns-id", "dep", "b1", Google.Protobuf.ByteString.Empty, "t", false, default);
        // tq-b is idle in b1: b2 may become current without it...
        await Service.SetRampingAsync("ns-id", "dep", "b2", 10, Google.Protobuf.ByteString.Empty, "t", false, default);
        await Service.SetRampingAsync("ns-id", "dep", null, 0, Google.Protobuf.ByteString.Empty, "t", false, default);

        // ...but not once it has a backlog there.
        _matching.Matching.Dispatch(_matching.Task(new TaskQueueKey("ns-id", "tq-b", TaskKind.Workflow, new DeploymentVersion("dep", "b1"))));
        var ramp = await Assert.ThrowsAsync<FailedPreconditionException>(() =>
            Service.SetRampingAsync("ns-id", "dep", "b2", 10, Google.Protobuf.ByteString.Empty, "t", false, default));
        Assert.Equal("proposed ramping version is missing active task queues from the current version; these would become unversioned if it is set as the ramping version", ramp.Message);
        var current = await Assert.ThrowsAsync<FailedPreconditionException>(() =>
            Service.SetCurrentAsync("ns-id", "dep", "b2", Google.Protobuf.ByteString.Empty, "t", false, default));
        Assert.Equal("proposed current version is missing active task queues from the current version; these would become unversioned if it is set as the current version", current.Message);

        var propagations = _propagation.Count;
        await Service.SetCurrentAsync("ns-id", "dep", "b2", Google.Protobuf.ByteString.Empty, "t", ignoreMissingTaskQueues: true, default);
        Assert.Equal(propagations + 1, _propagation.Count); // propagated before answering
    }

    [Fact]
    public async Task Registration_AtALimit_IsFailedPreconditionInTemporalsWords_AndAStoreFailureIsUnavailable()
    {
        for (var i = 0; i < 100; i++)
        {
            await Registrar.EnsureRegisteredAsync("ns-id", new("dep", "b"), $"tq-{i}", TaskKind.Activity, default);
        }
        var limit = await Assert.ThrowsAsync<FailedPreconditionException>(() =>
            Registrar.EnsureRegisteredAsync("ns-id", new("dep", "b"), "tq-100", TaskKind.Activity, default));
        Assert.Equal("cannot add task queue tq-100 since maximum number of task queues (100) have been registered in deployment", limit.Message);

        await _store.DisposeAsync();
        var down = await Assert.ThrowsAsync<UnavailableException>(() =>
            Registrar.EnsureRegisteredAsync("ns-id", new("dep", "c"), "tq", TaskKind.Activity, default));
        Assert.Equal("task queue is not ready to process polls from this deployment version, try again shortly", down.Message);
        _store = await SqlitePersistence.OpenAsync(null, migrate: true, NullLogger.Instance, CancellationToken.None);
    }

    [Fact]
    public async Task AVersionDeletedAfterAPollerWindowWithoutPolls_IsRegisteredAgainByItsNextPoll()
    {
        var version = new DeploymentVersion("dep", "b1");
        await Registrar.EnsureRegisteredAsync("ns-id", version, "tq", TaskKind.Workflow, default);
        _matching.Clock.Advance(TimeSpan.FromMinutes(6));
        await Service.DeleteVersionAsync("ns-id", version, skipDrainage: false, default);
        Assert.Empty((await _store.WorkerDeployments.GetAsync("ns-id", "dep", default))!.Versions);

        await Registrar.EnsureRegisteredAsync("ns-id", version, "tq", TaskKind.Workflow, default);
        Assert.NotNull((await _store.WorkerDeployments.GetAsync("ns-id", "dep", default))!.Version("b1"));
    }

    private sealed class CountingPropagation : IDeploymentRoutingPropagation
    {
        public int Count;

        public Task PropagateAsync(CancellationToken ct)
        {
            Interlocked.Increment(ref Count);
            return Task.CompletedTask;
        }
    }
}
