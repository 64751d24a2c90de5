namespace Tempora.EndToEnd.Tests.Batch;

/// <summary>
/// The batch tests share a server of their own, so that they run beside the other collections: most of their time is
/// the batches' rate limit. Each test registers a namespace of its own, since a namespace runs one batch at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BatchCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "Batches";
}
