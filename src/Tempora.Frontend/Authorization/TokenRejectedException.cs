namespace Tempora.Frontend.Authorization;

/// <summary>A bearer token that proves nothing: malformed, unsigned by a known key, expired, or for another audience.
/// The message says why, for the log; the caller only learns that it is unauthenticated.</summary>
public sealed class TokenRejectedException(string reason) : Exception(reason);
