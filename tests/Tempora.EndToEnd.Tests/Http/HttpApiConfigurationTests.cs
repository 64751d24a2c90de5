using System.Collections;
using Tempora.Cli;

namespace Tempora.EndToEnd.Tests.Http;

/// <summary>`tempora start`'s httpPort / TEMPORA_HTTP_PORT: Temporal's 7243 by default, 0 turns the HTTP API off.</summary>
public sealed class HttpApiConfigurationTests
{
    private static int? HttpPort(Hashtable environment) => ServerConfiguration.ToOptions(ServerConfiguration.Load(null, environment)).HttpPort;

    [Fact]
    public void HttpPort_Default7243_ZeroOff_VariableSets()
    {
        Assert.Equal(7243, HttpPort([]));
        Assert.Null(HttpPort(new Hashtable { ["TEMPORA_HTTP_PORT"] = "0" }));
        Assert.Equal(18080, HttpPort(new Hashtable { ["TEMPORA_HTTP_PORT"] = "18080" }));
    }

    [Fact]
    public void HttpPort_NotAPort_ErrorNamesTheKey()
    {
        var e = Assert.Throws<ConfigurationException>(() => HttpPort(new Hashtable { ["TEMPORA_HTTP_PORT"] = "70000" }));
        Assert.Contains("httpPort", e.Message, StringComparison.Ordinal);
    }
}
