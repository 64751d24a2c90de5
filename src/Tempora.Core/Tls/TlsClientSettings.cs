namespace Tempora.Core.Tls;

/// <summary>How a replica verifies another replica's certificate (Temporal's <c>global.tls.internode.client</c>).</summary>
/// <param name="ServerName">The name sent as SNI and checked in the peer's certificate; null: the peer's address.</param>
/// <param name="DisableHostVerification">Skip the name check only; the chain is still verified.</param>
/// <param name="RootCas">The CAs the peer's certificate must chain to.</param>
public sealed record TlsClientSettings(string? ServerName, bool DisableHostVerification, IReadOnlyList<PemSource> RootCas);
