using System.Security.Cryptography;
using System.Text;
using Tempora.Persistence;

namespace Tempora.Cluster.Peers;

/// <summary>
/// The secret replicas prove themselves to each other with when they have no internode certificate: every call one
/// sends another carries it in <see cref="Header"/>. Configured (<c>cluster:secret</c>, a Kubernetes Secret), or else
/// generated once and kept in the database every replica shares. A process alone on its store has none.
/// </summary>
public sealed class ClusterSecret
{
    public const string Header = "tempora-cluster-secret";

    /// <summary>A secret shorter than this is refused: it could be guessed.</summary>
    public const int MinimumLength = 16;

    private readonly byte[]? _hash;

    private ClusterSecret(string? value)
    {
        Value = value;
        _hash = value is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>No secret: nothing a caller presents matches.</summary>
    public static ClusterSecret None { get; } = new(null);

    /// <summary>What this process sends its peers; null when it has no secret.</summary>
    public string? Value { get; }

    /// <summary>Why <paramref name="value"/> cannot be a cluster secret, or null when it can. gRPC header values are
    /// printable ASCII.</summary>
    public static string? Problem(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length < MinimumLength)
        {
            return $"must be at least {MinimumLength} characters long";
        }
        return value.All(c => c is >= ' ' and <= '~') ? null : "may hold only printable ASCII characters (it travels in a gRPC header)";
    }

    public static ClusterSecret Of(string value) =>
        Problem(value) is { } problem ? throw new ArgumentException($"The cluster secret {problem}.", nameof(value)) : new(value);

    /// <summary>
    /// The secret a process uses: the configured one; else, on a store several processes share, the one stored there
    /// (the first process to start stores a new random one, and every other reads it, so replicas starting at once
    /// agree); else none.
    /// </summary>
    public static async Task<ClusterSecret> ResolveAsync(string? configured, IShardLeaseStore? sharedStore, CancellationToken ct)
    {
        if (configured is not null)
        {
            return Of(configured);
        }
        if (sharedStore is null)
        {
            return None;
        }
        var candidate = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)); // 256 bits
        return Of(await sharedStore.EnsureClusterSecretAsync(candidate, ct));
    }

    /// <summary>Whether <paramref name="presented"/> is this secret. Hashes are compared in constant time, so neither the
    /// secret's content nor its length shows in how long a refusal takes.</summary>
    public bool Matches(string? presented) =>
        _hash is not null && presented is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _hash);
}
