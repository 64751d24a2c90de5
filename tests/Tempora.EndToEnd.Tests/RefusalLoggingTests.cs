using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Tempora.Server;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Refused requests log at debug at most: a client sending garbage must not be able to fill the log with error-level
/// stack traces, one per request (the server's own log level is info by default).
/// </summary>
public sealed class RefusalLoggingTests
{
    [Fact]
    public async Task MalformedAndInvalidRequests_AreRefusedWithoutWarningsOrErrorsInTheLog()
    {
        using var database = new TestDatabase("refusal-log");
        var logs = new CapturedLogs();
        var options = database.Apply(new TemporaOptions { Ip = "127.0.0.1", Port = 0, UiPort = 0, MetricsPort = 0, Headless = true, LogLevel = LogLevel.Debug });
        var server = await TemporaServer.StartAsync(options, logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(logs);
        });
        try
        {
            using var channel = GrpcChannel.ForAddress($"http://{server.GrpcAddress}");
            var invoker = channel.CreateCallInvoker();
            var raw = new Method<byte[], byte[]>(MethodType.Unary, "temporal.api.workflowservice.v1.WorkflowService",
                "StartWorkflowExecution", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
            var badDuration = new StartWorkflowExecutionRequest
            {
                Namespace = "default",
                WorkflowId = ServerFixture.NewWorkflowId(),
                WorkflowType = new WorkflowType { Name = "NoSuchWorkflow" },
                TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = ServerFixture.NewTaskQueue() },
                WorkflowRunTimeout = new Duration { Seconds = 1, Nanos = -1 },
            };
            logs.Clear(); // startup lines are not what this test is about

            var malformed = await Assert.ThrowsAsync<RpcException>(() =>
                invoker.AsyncUnaryCall(raw, null, new CallOptions(), [0x0A, 100, 1, 2, 3]).ResponseAsync);
            var invalid = await Assert.ThrowsAsync<RpcException>(() =>
                invoker.AsyncUnaryCall(raw, null, new CallOptions(), badDuration.ToByteArray()).ResponseAsync);

            Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
            Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
            var loud = logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
            Assert.True(loud.Count == 0, "logged at warning or above:" + Environment.NewLine + string.Join(Environment.NewLine, loud));
        }
        finally
        {
            await ServerFixture.StopAsync(server);
        }
    }

    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Line)> _entries = new();

        public IReadOnlyCollection<(LogLevel Level, string Line)> Entries => _entries;

        public void Clear() => _entries.Clear();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner._entries.Enqueue((logLevel, $"[{logLevel}] {category}: {formatter(state, exception)} {exception}"));
        }
    }
}
