using System.Collections;
using Tempora.Archival;
using Tempora.Cli;
using Tempora.Core.Errors;

namespace Tempora.EndToEnd.Tests.Archival;

/// <summary>`tempora start`'s archival settings (Temporal's keys), their refusals, and the URI and query forms.</summary>
public sealed class ArchivalConfigurationTests
{
    [Fact]
    public void ConfigFile_TemporalArchivalKeys_AreRead()
    {
        var options = Load("""
            archival:
              history:
                state: enabled
                enableRead: true
                provider:
                  filestore:
                    fileMode: "0640"
                    dirMode: "0750"
                  s3store:
                    region: eu-west-1
                    endpoint: http://minio:9000
                    s3ForcePathStyle: true
              visibility:
                state: disabled
            namespaceDefaults:
              archival:
                history:
                  state: enabled
                  URI: s3://archive/history
            """);

        var history = options.Archival.History;
        Assert.True(history is { Enabled: true, EnableRead: true, NamespaceDefaultEnabled: true, NamespaceDefaultUri: "s3://archive/history" });
        Assert.Equal(new FileStoreSettings((UnixFileMode)Convert.ToInt32("640", 8), (UnixFileMode)Convert.ToInt32("750", 8)), history.FileStore);
        Assert.Equal(new S3StoreSettings("eu-west-1", "http://minio:9000", true), history.S3Store);
        Assert.False(options.Archival.Visibility.Enabled);
        Assert.False(ServerConfiguration.ToOptions(ServerConfiguration.Load(null, new Hashtable())).Archival.History.Enabled);
    }

    [Fact]
    public void DevServer_BothKindsOpenToNamespaces_NoneArchivesByDefault_S3AtTheAwsEndpointVariable()
    {
        var settings = ArchivalConfiguration.DevServer(new Hashtable { ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9000" });
        foreach (var kind in new[] { settings.History, settings.Visibility })
        {
            Assert.True(kind is { Enabled: true, EnableRead: true, NamespaceDefaultEnabled: false, NamespaceDefaultUri: null });
            Assert.NotNull(kind.FileStore);
            Assert.Equal(new S3StoreSettings("us-east-1", "http://127.0.0.1:9000", true), kind.S3Store);
        }
    }

    [Theory]
    [InlineData("archival:\n  history:\n    state: on\n", "archival:history:state")]
    [InlineData("archival:\n  history:\n    state: enabled\n", "archival:history:provider")]
    [InlineData("archival:\n  visibility:\n    state: enabled\n    provider:\n      s3store:\n        endpoint: http://minio:9000\n", "archival:visibility:provider:s3store:region")]
    [InlineData("archival:\n  history:\n    state: enabled\n    provider:\n      filestore:\n        fileMode: rw\n", "archival:history:provider:filestore:fileMode")]
    [InlineData("archival:\n  history:\n    state: enabled\n    provider:\n      filestore: {}\n      s3store:\n        region: x\n        endpoint: minio:9000\n", "archival:history:provider:s3store:endpoint")]
    [InlineData("archival:\n  history:\n    state: enabled\n    provider:\n      filestore:\n        fileMode: \"0666\"\nnamespaceDefaults:\n  archival:\n    history:\n      URI: gs://bucket\n", "namespaceDefaults:archival:history:URI")]
    [InlineData("archival:\n  history:\n    state: enabled\n    provider:\n      filestore:\n        fileMode: \"0666\"\nnamespaceDefaults:\n  archival:\n    history:\n      URI: s3://bucket\n", "archival:history:provider:s3store")]
    public void BadArchivalSetting_Refused_NamingTheKey(string yaml, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(yaml));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:///var/archive/", "file", "/var/archive", "")]
    [InlineData("s3://my-bucket", "s3", "my-bucket", "")]
    [InlineData("s3://my-bucket/a/b/", "s3", "my-bucket", "a/b")]
    public void Uri_Parsed(string uri, string scheme, string location, string prefix) =>
        Assert.Equal(new ArchivalUri(scheme, location, prefix), ArchivalUri.Parse(uri, "f"));

    [Theory]
    [InlineData("gs://bucket", "\"gs\"")]
    [InlineData("file://relative/dir", "absolute")]
    [InlineData("s3://Bad_Bucket", "Bad_Bucket")]
    [InlineData("/var/archive", "expected file://")]
    public void Uri_Bad_RefusedNamingIt(string uri, string named)
    {
        var e = Assert.Throws<InvalidArgumentException>(() => ArchivalUri.Parse(uri, "history_archival_uri"));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Contains("history_archival_uri", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_S3Forms_ParsedAndMatched()
    {
        var q = ArchivedQuery.Parse("(WorkflowTypeName = 'Order') and CloseTime = \"2026-12-06T10:20:30Z\" AND SearchPrecision = 'Hour'");
        Assert.Equal("Order", q.WorkflowTypeName);
        var start = DateTimeOffset.Parse("2026-12-06T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(q.Matches("any", "Order", start, start.AddMinutes(100)));
        Assert.False(q.Matches("any", "Order", start, start.AddMinutes(130)));
        Assert.False(q.Matches("any", "Other", start, start.AddMinutes(100)));
        var byId = ArchivedQuery.Parse("WorkflowId = 'wf-1' AND StartTime = 1765015200000000000 AND SearchPrecision = 'Day'");
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1765015200), byId.StartTime);
    }

    [Theory]
    [InlineData("ExecutionStatus = 'Completed'", "ExecutionStatus")]
    [InlineData("WorkflowId != 'x'", "only operation =")]
    [InlineData("WorkflowId = 'x' OR WorkflowId = 'y'", "\"and\"")]
    [InlineData("StartTime = '2026-12-06T00:00:00Z' AND SearchPrecision = 'Day'", "WorkflowId or WorkflowTypeName is required")]
    [InlineData("WorkflowId = 'x' AND WorkflowTypeName = 'T'", "only one of WorkflowId or WorkflowTypeName")]
    [InlineData("WorkflowId = 'x' AND CloseTime = '2026-12-06T00:00:00Z'", "SearchPrecision is required")]
    [InlineData("WorkflowId = 'x' AND SearchPrecision = 'Week'", "invalid value for SearchPrecision")]
    [InlineData("WorkflowId = 'x' AND CloseTime = 'yesterday' AND SearchPrecision = 'Day'", "invalid value for CloseTime")]
    [InlineData("WorkflowId =", "incomplete")]
    public void Query_Unsupported_InvalidArgumentNamingIt(string query, string named)
    {
        var e = Assert.Throws<InvalidArgumentException>(() => ArchivedQuery.Parse(query));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    private static Tempora.Server.TemporaOptions Load(string yaml)
    {
        var file = Path.Combine(TestFiles.NewTempDir(), "config.yaml");
        File.WriteAllText(file, yaml);
        return ServerConfiguration.ToOptions(ServerConfiguration.Load(file, new Hashtable()));
    }
}
