using System.Security.Cryptography;

namespace Tempora.Core.Loopback;

/// <summary>
/// The proof that a call comes from this process's own system work (schedules, batches, the namespace deleter through
/// the worker role's <see cref="FrontendClient"/>): a random value made at start and sent in <see cref="Header"/>. The
/// frontend treats a call carrying it as a system admin's, as Temporal's worker reaches its internal frontend without
/// authorization. The value never leaves the process: the client that sends it talks to the frontend on this host only,
/// and requests forwarded to other replicas do not copy their headers.
/// </summary>
public sealed class InternalCaller
{
    public const string Header = "tempora-internal-caller";

    public InternalCaller()
        : this(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)))
    {
    }

    private InternalCaller(string value) => Value = value;

    /// <summary>The header's value for this process.</summary>
    public string Value { get; }

    /// <summary>Whether <paramref name="presented"/> is this process's value (compared in constant time).</summary>
    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(presented), System.Text.Encoding.ASCII.GetBytes(Value));
}
