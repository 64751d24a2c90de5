namespace Tempora.Frontend.Authorization;

/// <summary>What an API does (Temporal's common/api/metadata.go); the default authorizer maps it to a required role.</summary>
public enum ApiAccess
{
    Unknown,
    ReadOnly,
    Write,
    Admin,
}
