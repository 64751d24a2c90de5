using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tempora.Server;

namespace Tempora.Cli;

/// <summary>The console log of every command: one readable line per entry (text), or one JSON object per entry (json).</summary>
internal static class ConsoleLogging
{
    public static void Configure(ILoggingBuilder builder, LogLevel level, LogFormat format = LogFormat.Text)
    {
        builder.ClearProviders();
        builder.SetMinimumLevel(level);

        // ASP.NET Core and gRPC log every request at Information or Debug, and each worker long poll is a request:
        // at those levels they would drown Tempora's own lines. Their warnings and errors still come through.
        var frameworkLevel = level > LogLevel.Warning ? level : LogLevel.Warning;
        builder.AddFilter("Microsoft", frameworkLevel);
        builder.AddFilter("Grpc", frameworkLevel);

        if (format == LogFormat.Json)
        {
            // {"Timestamp":…,"EventId":3001,"LogLevel":"Warning","Category":…,"Message":…,"State":{"WorkflowId":…,"RunId":…}}:
            // the template's placeholders arrive as properties, so a log pipeline can filter on them.
            builder.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            });
            return;
        }
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
        });
    }
}
