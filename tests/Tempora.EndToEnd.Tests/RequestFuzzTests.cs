using System.Collections;
using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Tempora.Frontend;
using Temporalio.Client;
using Temporalio.Worker;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Random and mutated requests to every RPC of WorkflowService and OperatorService, enumerated from the service
/// descriptors (a new RPC is covered without touching this test): random field values with extreme numbers, unknown
/// enum numbers, NUL and long strings, bad durations and timestamps, and random bytes as the message body. Whatever the
/// answer, it must not be Internal or Unknown, and the server must stay healthy. Seeded (TEMPORA_FUZZ_SEED overrides
/// the fixed seed), so that a failure replays; the seed is in the failure message.
/// </summary>
public sealed class RequestFuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 17_2026;
    private const int RequestsPerImplementedRpc = 200;
    private const int RequestsPerUnimplementedRpc = 6;
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task EveryRpc_RandomAndMutatedRequests_NeverAnswerInternalOrUnknown()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("TEMPORA_FUZZ_SEED"), out var s) ? s : DefaultSeed;
        await using var own = await OwnServer.StartAsync("fuzz");
        // A run for the requests that name it, so that they reach past "not found".
        await own.Client.StartWorkflowAsync("FuzzTarget", [], new(RequestFuzzer.WorkflowId, RequestFuzzer.TaskQueue));
        await own.Client.WorkflowService.RegisterNamespaceAsync(new() { Namespace = RequestFuzzer.DoomedNamespace });
        using var channel = GrpcChannel.ForAddress($"http://{own.Server.GrpcAddress}", new GrpcChannelOptions { MaxReceiveMessageSize = null });
        var invoker = channel.CreateCallInvoker();

        var services = new (ServiceDescriptor Service, IReadOnlyList<string> Implemented)[]
        {
            (Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0],
                new ServiceBinder<WorkflowServiceImpl>(Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0]).ImplementedMethods()),
            (Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services[0],
                new ServiceBinder<OperatorServiceImpl>(Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services[0]).ImplementedMethods()),
        };
        // Each case gets its own random source from the seed, so that the cases replay whatever order they run in.
        var cases = new List<(MethodDescriptor Method, int Index)>();
        foreach (var (service, implemented) in services)
        {
            foreach (var method in service.Methods)
            {
                var count = implemented.Contains(method.Name) ? RequestsPerImplementedRpc : RequestsPerUnimplementedRpc;
                cases.AddRange(Enumerable.Range(0, count).Select(i => (method, i)));
            }
        }
        var bad = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<StatusCode, int>();
        var samples = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = int.TryParse(Environment.GetEnvironmentVariable("TEMPORA_FUZZ_PARALLEL"), out var p) ? p : 24 }, async (c, _) =>
        {
            var fuzzer = new RequestFuzzer(unchecked((seed * 1_000_003) + (Stable(c.Method.FullName) * 7_919) + c.Index));
            var (body, what) = fuzzer.Body(c.Method.InputType);
            var code = await CallAsync(invoker, c.Method, body);
            statuses.AddOrUpdate(code.StatusCode, 1, (_, n) => n + 1);
            samples.TryAdd($"{code.StatusCode} {c.Method.Name}", code.Detail);
            // "Error starting gRPC call": the client failed to read the answer (an over-long header drops the
            // connection, and every call on it), which a real client suffers as much as an Internal.
            if (code.StatusCode is StatusCode.Internal or StatusCode.Unknown || code.Detail.StartsWith("Error starting gRPC call", StringComparison.Ordinal))
            {
                bad.Add($"{c.Method.FullName} case {c.Index} ({what}): {code.StatusCode} {code.Detail}");
            }
        });
        output.WriteLine($"seed {seed}, {cases.Count} requests: {string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}");

        foreach (var (k, v) in samples.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{k}: {v[..Math.Min(v.Length, 200)]}");
        }
        Assert.True(bad.IsEmpty, $"seed {seed} (TEMPORA_FUZZ_SEED to replay): {bad.Count} answer(s) Internal, Unknown or unreadable:{Environment.NewLine}"
            + string.Join(Environment.NewLine, bad.OrderBy(b => b, StringComparer.Ordinal).Take(40)));
        await AssertHealthyAsync(own);
    }

    /// <summary>Readiness is OK and an ordinary workflow, with an activity, runs to completion on an SDK worker.</summary>
    private static async Task AssertHealthyAsync(OwnServer own)
    {
        using var ready = await own.Http.GetAsync(new Uri($"http://{own.Server.MetricsAddress}/health/ready"));
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(own.Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<HelloWorkflow>()
            .AddAllActivities(new GreetingActivities()));
        var result = await worker.ExecuteAsync(() => own.Client.ExecuteWorkflowAsync(
            (HelloWorkflow wf) => wf.RunAsync("after fuzz"), new(ServerFixture.NewWorkflowId(), taskQueue)).WithTimeout("workflow after the fuzz"));
        Assert.Equal("Hello, after fuzz!", result);
    }

    private static async Task<Status> CallAsync(CallInvoker invoker, MethodDescriptor method, byte[] body)
    {
        var rpc = new Method<byte[], byte[]>(MethodType.Unary, method.Service.FullName, method.Name, RawBytes, RawBytes);
        try
        {
            await invoker.AsyncUnaryCall(rpc, null, new CallOptions(deadline: DateTime.UtcNow + CallDeadline), body);
            return Status.DefaultSuccess;
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }

    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(b => b, b => b);

    private static int Stable(string text) => text.Aggregate(17, (h, ch) => unchecked((h * 31) + ch));
}

/// <summary>Random request bodies for a message type, from one seeded random source.</summary>
internal sealed class RequestFuzzer(int seed)
{
    public const string WorkflowId = "fuzz-target";
    public const string TaskQueue = "fuzz-queue";

    /// <summary>The namespace the requests that can close or delete one name (so that "default" stays served for the rest).</summary>
    public const string DoomedNamespace = "fuzz-doomed";
    private const int MaxDepth = 4;

    private readonly Random _random = new(seed);
    private bool _sparse;
    private string _namespace = "default";

    /// <summary>Fields a plausible request sets: with these right, a request reaches past the first checks.</summary>
    private static readonly HashSet<string> Identifying = ["namespace", "workflow_id", "workflow_type", "task_queue", "name", "request_id", "execution", "workflow_execution"];

    /// <summary>The bytes to send, and what kind of case they are.</summary>
    public (byte[] Body, string What) Body(MessageDescriptor type)
    {
        ArgumentNullException.ThrowIfNull(type);
        _namespace = type.Name is "DeleteNamespaceRequest" or "DeprecateNamespaceRequest" or "UpdateNamespaceRequest" ? DoomedNamespace : "default";
        switch (_random.Next(10))
        {
            case 0:
                return (RandomBytes(_random.Next(0, 300)), "random bytes");
            case 1:
                var valid = Message(type, 0).ToByteArray();
                return (Mutate(valid), "mutated bytes");
            case < 6:
                // Few fields besides the names that exist: the request gets deep into the engine with one odd value.
                _sparse = true;
                var sparse = Message(type, 0).ToByteArray();
                _sparse = false;
                return (sparse, "sparse message");
            default:
                return (Message(type, 0).ToByteArray(), "random message");
        }
    }

    private IMessage Message(MessageDescriptor type, int depth)
    {
        var message = (IMessage)Activator.CreateInstance(type.ClrType)!;
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            var chance = Identifying.Contains(field.Name) ? 0.95 : _sparse ? 0.15 : depth == 0 ? 0.6 : 0.35;
            if (_random.NextDouble() > chance || (field.FieldType == FieldType.Message && depth >= MaxDepth))
            {
                continue;
            }
            if (field.IsMap)
            {
                var map = (IDictionary)field.Accessor.GetValue(message);
                var key = field.MessageType.FindFieldByNumber(1);
                var value = field.MessageType.FindFieldByNumber(2);
                for (var i = _random.Next(1, 3); i > 0; i--)
                {
                    if (Value(value, depth) is { } v)
                    {
                        map[Value(key, depth)!] = v;
                    }
                }
            }
            else if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                for (var i = _random.Next(1, 4); i > 0; i--)
                {
                    if (Value(field, depth) is { } v)
                    {
                        list.Add(v);
                    }
                }
            }
            else if (Value(field, depth) is { } v)
            {
                field.Accessor.SetValue(message, v);
            }
        }
        return message;
    }

    private object? Value(FieldDescriptor field, int depth) => field.FieldType switch
    {
        FieldType.String => Text(field.Name),
        FieldType.Bytes => ByteString.CopyFrom(RandomBytes(_random.Next(0, 64))),
        FieldType.Bool => _random.Next(2) == 0,
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => Pick(0, 1, -1, 2, 100, int.MaxValue, int.MinValue, _random.Next()),
        FieldType.UInt32 or FieldType.Fixed32 => Pick(0u, 1u, 2u, uint.MaxValue, (uint)_random.Next()),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => Pick(0L, 1L, -1L, 3L, long.MaxValue, long.MinValue, _random.NextInt64()),
        FieldType.UInt64 or FieldType.Fixed64 => Pick(0UL, 1UL, ulong.MaxValue, (ulong)_random.NextInt64()),
        FieldType.Double => Pick(0d, 1d, -1d, 2d, 0.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.Epsilon),
        FieldType.Float => Pick(0f, 1f, -1f, float.NaN, float.PositiveInfinity, float.MaxValue),
        FieldType.Enum => System.Enum.ToObject(field.EnumType.ClrType, _random.Next(4) == 0
            ? Pick(99, -1, int.MaxValue, field.EnumType.Values.Count)
            : field.EnumType.Values[_random.Next(field.EnumType.Values.Count)].Number),
        FieldType.Message when IsWrapper(field.MessageType) => Value(field.MessageType.FindFieldByNumber(1), depth),
        FieldType.Message => WellKnown(field.MessageType, depth),
        _ => null,
    };

    private IMessage? WellKnown(MessageDescriptor type, int depth)
    {
        if (type.ClrType == typeof(Duration))
        {
            return new Duration
            {
                Seconds = Pick(0L, 1L, 10L, -1L, 3_600L, 400L * 365 * 86_400, Duration.MaxSeconds, Duration.MaxSeconds + 1, long.MaxValue, long.MinValue),
                Nanos = Pick(0, 1, -1, 500_000_000, 999_999_999, 1_000_000_000, int.MinValue),
            };
        }
        if (type.ClrType == typeof(Timestamp))
        {
            return new Timestamp
            {
                Seconds = Pick(0L, 1L, -1L, 1_700_000_000L, 253_402_300_799L, 253_402_300_800L, -62_135_596_801L, long.MaxValue, long.MinValue),
                Nanos = Pick(0, 1, -1, 999_999_999, 1_000_000_000),
            };
        }
        if (type.ClrType == typeof(Any))
        {
            return new Any { TypeUrl = Text("type_url"), Value = ByteString.CopyFrom(RandomBytes(_random.Next(0, 32))) };
        }
        if (type.ClrType == typeof(Struct) || type.ClrType == typeof(Value) || type.ClrType == typeof(ListValue))
        {
            return null;
        }
        return Message(type, depth + 1);
    }

    /// <summary>google.protobuf wrapper types (DoubleValue, StringValue, …) are set as their plain C# value.</summary>
    private static bool IsWrapper(MessageDescriptor type) =>
        type.File.Package == "google.protobuf" && type.Name.EndsWith("Value", StringComparison.Ordinal) && type.Name is not ("Value" or "ListValue");

    private string Text(string fieldName)
    {
        // Mostly the names that exist, so that requests get past "not found" into the engine.
        var known = fieldName switch
        {
            "namespace" => _namespace,
            "workflow_id" => WorkflowId,
            "run_id" or "first_execution_run_id" => "",
            _ => null,
        };
        if (known is not null && (_sparse || _random.Next(4) != 0))
        {
            return known;
        }
        if (_sparse && Identifying.Contains(fieldName))
        {
            return fieldName == "request_id" ? new Guid(RandomBytes(16)).ToString() : TaskQueue;
        }
        switch (_random.Next(16))
        {
            case 0:
                return "";
            case 1:
                return "\0";
            case 2:
                return "a\0b";
            case 3:
                return "/_sys/" + TaskQueue + "/1";
            case 4:
                return " padded ";
            case 5:
                return "ünïcødé-\u2603-\U0001F600";
            case 6:
                return new string('x', _random.Next(1001, 3000)); // over the 1000-character id limit
            case 7 when _random.Next(8) == 0:
                return new string('y', _random.Next(100_000, 900_000)); // large, below the 1 MiB the test keeps to
            case 8:
                return "WorkflowId = 'x' OR ExecutionStatus = 'Running'";
            case 9:
                return "* * * * *";
            default:
                return fieldName switch
                {
                    "namespace" => _random.Next(10) == 0 ? "fuzz-missing" : _namespace,
                    "workflow_id" => WorkflowId,
                    "name" => TaskQueue,
                    "request_id" => new Guid(RandomBytes(16)).ToString(),
                    _ => $"fuzz-{_random.Next(1000)}",
                };
        }
    }

    private byte[] Mutate(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return RandomBytes(8);
        }
        var mutated = (byte[])bytes.Clone();
        for (var i = _random.Next(1, 6); i > 0; i--)
        {
            mutated[_random.Next(mutated.Length)] = (byte)_random.Next(256);
        }
        return _random.Next(3) == 0 ? mutated[.._random.Next(mutated.Length)] : mutated;
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(params T[] choices) => choices[_random.Next(choices.Length)];
}
