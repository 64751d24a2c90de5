namespace Tempora.EndToEnd.Tests.Schedules;

/// <summary>
/// The schedule tests share a server of their own (a second <see cref="ServerFixture"/>), so that they run beside the
/// "Server" collection rather than after it: most of their time is waiting for due times.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ScheduleCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "Schedules";
}
