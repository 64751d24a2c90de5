namespace Tempora.Frontend.Authorization;

/// <summary>
/// Temporal's roles, with its bit values: the default authorizer compares a caller's combined roles with the required
/// one numerically (<c>hasRole &gt;= required</c>), so a caller holding only <see cref="Worker"/> (1) passes no check
/// a reader (2) would need, and <c>read</c> plus <c>worker</c> (3) passes a reader's but not a writer's (4).
/// </summary>
[Flags]
public enum Role : short
{
    None = 0,
    Worker = 1,
    Reader = 2,
    Writer = 4,
    Admin = 8,
}
