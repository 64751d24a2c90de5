using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Namespace.V1;

namespace Tempora.History;

/// <summary>
/// Namespaces by name and id, cached in memory (they change rarely) over the namespace store. An entry is re-read
/// after <see cref="RefreshAfter"/>, so that a change made through another replica reaches this one (as Temporal's
/// namespace cache refreshes every 10 s).
/// </summary>
public sealed class NamespaceRegistry(INamespaceStore store, RetentionBounds? retention = null)
{
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(3);

    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(10);

    /// <summary>The retention periods a namespace may be given.</summary>
    public RetentionBounds Retention { get; } = retention ?? new RetentionBounds();

    private readonly ConcurrentDictionary<string, Entry> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry> _byId = new(StringComparer.Ordinal);

    private sealed record Entry(NamespaceRecord Record, long LoadedAtMs)
    {
        public bool Fresh => Environment.TickCount64 - LoadedAtMs < (long)RefreshAfter.TotalMilliseconds;
    }

    public async Task<NamespaceRecord> GetByNameAsync(string name, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidArgumentException("Namespace not set on request.");
        }
        if (_byName.TryGetValue(name, out var cached) && cached.Fresh)
        {
            return cached.Record;
        }
        var ns = await store.GetByNameAsync(name, ct) ?? throw new NamespaceNotFoundException(name);
        Cache(ns);
        return ns;
    }

    /// <summary>Whether the namespace is known to this process already (cached), without touching the store.</summary>
    public bool IsCached(string name) => _byName.ContainsKey(name);

    public async Task<NamespaceRecord> GetByIdAsync(string id, CancellationToken ct)
    {
        if (_byId.TryGetValue(id, out var cached) && cached.Fresh)
        {
            return cached.Record;
        }
        var ns = await store.GetByIdAsync(id, ct) ?? throw new NamespaceNotFoundException(id);
        Cache(ns);
        return ns;
    }

    /// <summary>
    /// Re-reads a namespace from the store, bypassing the cache. Used when a request names a search attribute the
    /// cached copy lacks: another replica may have just added it, and the caller should not wait out the refresh.
    /// </summary>
    public async Task<NamespaceRecord> ReloadAsync(NamespaceRecord ns, CancellationToken ct)
    {
        var fresh = await store.GetByIdAsync(ns.Id, ct) ?? throw new NamespaceNotFoundException(ns.Name);
        Cache(fresh);
        return fresh;
    }

    public Task<IReadOnlyList<NamespaceRecord>> ListAsync(CancellationToken ct) => store.ListAsync(ct);

    /// <summary>Registers a namespace; throws NamespaceAlreadyExistsException when the name is taken.</summary>
    public async Task<NamespaceRecord> RegisterAsync(NamespaceInfo info, NamespaceConfig config, CancellationToken ct)
    {
        var ns = new NamespaceRecord(Guid.NewGuid().ToString(), info.Name, info, config);
        info.Id = ns.Id;
        info.State = NamespaceState.Registered;
        config.WorkflowExecutionRetentionTtl ??= Duration.FromTimeSpan(DefaultRetention);
        await store.CreateAsync(ns, ct);
        Cache(ns);
        return ns;
    }

    /// <summary>
    /// Creates the namespace unless it exists (used for `default` and the --namespace flags), with
    /// <paramref name="config"/> (the cluster's namespace defaults) when given.
    /// </summary>
    public async Task EnsureAsync(string name, CancellationToken ct, NamespaceConfig? config = null)
    {
        if (await store.GetByNameAsync(name, ct) is not null)
        {
            return;
        }
        try
        {
            await RegisterAsync(new NamespaceInfo { Name = name }, config?.Clone() ?? new NamespaceConfig(), ct);
        }
        catch (NamespaceAlreadyExistsException)
        {
            // created concurrently: fine
        }
    }

    public async Task UpdateAsync(NamespaceRecord ns, CancellationToken ct)
    {
        await store.UpdateAsync(ns, ct);
        Cache(ns);
    }

    /// <summary>
    /// Marks the namespace Deleted and renames it <c>&lt;name&gt;-deleted-&lt;first 5 of its id&gt;</c> (more of the id on
    /// a collision), in one write, as Temporal's delete-namespace workflow does; the old name is free at once. A
    /// namespace already renamed keeps its name. <paramref name="deleteTime"/> is when its own row may go, once the
    /// rest of it is purged (<see cref="NamespaceRecord.DeleteTime"/>).
    /// </summary>
    public async Task<NamespaceRecord> MarkDeletedAsync(NamespaceRecord ns, DateTimeOffset deleteTime, CancellationToken ct)
    {
        var name = await DeletedNameAsync(ns, ct);
        var info = ns.Info.Clone();
        info.Name = name;
        info.State = NamespaceState.Deleted;
        var deleted = ns with { Name = name, Info = info, DeleteTime = deleteTime };
        await UpdateAsync(deleted, ct);
        return deleted;
    }

    private async Task<string> DeletedNameAsync(NamespaceRecord ns, CancellationToken ct)
    {
        const int initialSuffixLength = 5;
        for (var length = initialSuffixLength; length < ns.Id.Length; length++)
        {
            var suffix = $"-deleted-{ns.Id[..length]}";
            if (ns.Name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return ns.Name;
            }
            var name = ns.Name + suffix;
            if (await store.GetByNameAsync(name, ct) is null)
            {
                return name;
            }
        }
        throw new InvalidOperationException($"unable to generate new name for deleted namespace {ns.Name}. ID \"{ns.Id}\" is not unique");
    }

    /// <summary>Deletes every row of the namespace but its own, in batches (<see cref="INamespaceStore.PurgeAsync"/>).</summary>
    public Task<long> PurgeAsync(string namespaceId, int batchSize, CancellationToken ct) => store.PurgeAsync(namespaceId, batchSize, ct);

    /// <summary>Deletes the namespace's own row, the last step of its deletion, and forgets it here.</summary>
    public async Task RemoveAsync(NamespaceRecord ns, CancellationToken ct)
    {
        await store.DeleteAsync(ns.Id, ct);
        if (_byId.TryRemove(ns.Id, out var entry))
        {
            _byName.TryRemove(KeyValuePair.Create(entry.Record.Name, entry));
        }
    }

    private void Cache(NamespaceRecord ns)
    {
        var entry = new Entry(ns, Environment.TickCount64);
        // A renamed namespace (deleted) no longer answers to its old name here; that name may be registered again.
        if (_byId.TryGetValue(ns.Id, out var previous) && previous.Record.Name != ns.Name)
        {
            _byName.TryRemove(KeyValuePair.Create(previous.Record.Name, previous));
        }
        _byName[ns.Name] = entry;
        _byId[ns.Id] = entry;
    }
}
