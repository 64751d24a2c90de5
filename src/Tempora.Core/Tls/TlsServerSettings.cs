namespace Tempora.Core.Tls;

/// <summary>What one listener presents and whom it accepts (Temporal's <c>global.tls.*.server</c>).</summary>
/// <param name="Certificate">Its certificate chain (leaf first).</param>
/// <param name="PrivateKey">The leaf's private key.</param>
/// <param name="RequireClientAuth">Refuse a client without a certificate that chains to <paramref name="ClientCas"/>.</param>
/// <param name="ClientCas">The CAs a client certificate must chain to; none means client certificates are not asked for.</param>
public sealed record TlsServerSettings(PemSource Certificate, PemSource PrivateKey, bool RequireClientAuth, IReadOnlyList<PemSource> ClientCas);
