using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Bench;

/// <summary>
/// Temporal's WorkflowService over a plain Grpc.Net.Client channel, with hand-built method descriptors over the
/// Temporalio package's message types: the calls a worker and a client make, and nothing of the SDK's machinery.
/// </summary>
internal sealed class RawService : IDisposable
{
    private const string Service = "temporal.api.workflowservice.v1.WorkflowService";

    /// <summary>The SDK's long-poll deadline: the server answers an empty poll before it.</summary>
    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(70);

    private static readonly TimeSpan Unary = TimeSpan.FromSeconds(30);

    private static readonly Method<GetSystemInfoRequest, GetSystemInfoResponse> GetSystemInfoMethod = M<GetSystemInfoRequest, GetSystemInfoResponse>("GetSystemInfo");
    private static readonly Method<StartWorkflowExecutionRequest, StartWorkflowExecutionResponse> StartMethod = M<StartWorkflowExecutionRequest, StartWorkflowExecutionResponse>("StartWorkflowExecution");
    private static readonly Method<PollWorkflowTaskQueueRequest, PollWorkflowTaskQueueResponse> PollWorkflowMethod = M<PollWorkflowTaskQueueRequest, PollWorkflowTaskQueueResponse>("PollWorkflowTaskQueue");
    private static readonly Method<RespondWorkflowTaskCompletedRequest, RespondWorkflowTaskCompletedResponse> CompleteWorkflowTaskMethod = M<RespondWorkflowTaskCompletedRequest, RespondWorkflowTaskCompletedResponse>("RespondWorkflowTaskCompleted");
    private static readonly Method<RespondWorkflowTaskFailedRequest, RespondWorkflowTaskFailedResponse> FailWorkflowTaskMethod = M<RespondWorkflowTaskFailedRequest, RespondWorkflowTaskFailedResponse>("RespondWorkflowTaskFailed");
    private static readonly Method<PollActivityTaskQueueRequest, PollActivityTaskQueueResponse> PollActivityMethod = M<PollActivityTaskQueueRequest, PollActivityTaskQueueResponse>("PollActivityTaskQueue");
    private static readonly Method<RespondActivityTaskCompletedRequest, RespondActivityTaskCompletedResponse> CompleteActivityMethod = M<RespondActivityTaskCompletedRequest, RespondActivityTaskCompletedResponse>("RespondActivityTaskCompleted");
    private static readonly Method<GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse> HistoryMethod = M<GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse>("GetWorkflowExecutionHistory");

    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;
    private readonly Metadata? _headers;

    public RawService(string address, bool gzip)
    {
        _channel = GrpcChannel.ForAddress($"http://{address}", new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 128 * 1024 * 1024,
            // More than one connection once a connection's HTTP/2 stream limit is reached (thousands of long polls).
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
        });
        _invoker = _channel.CreateCallInvoker();
        // The SDK gzips its requests by default; Grpc.Net.Client compresses a request when this header names gzip.
        _headers = gzip ? new Metadata { { "grpc-internal-encoding-request", "gzip" } } : null;
    }

    public Task<GetSystemInfoResponse> GetSystemInfoAsync(CancellationToken ct) => Call(GetSystemInfoMethod, new GetSystemInfoRequest(), Unary, ct);

    public Task<StartWorkflowExecutionResponse> StartWorkflowExecutionAsync(StartWorkflowExecutionRequest request, CancellationToken ct) => Call(StartMethod, request, Unary, ct);

    public Task<PollWorkflowTaskQueueResponse> PollWorkflowTaskQueueAsync(PollWorkflowTaskQueueRequest request, CancellationToken ct) => Call(PollWorkflowMethod, request, LongPoll, ct);

    public Task<RespondWorkflowTaskCompletedResponse> RespondWorkflowTaskCompletedAsync(RespondWorkflowTaskCompletedRequest request, CancellationToken ct) => Call(CompleteWorkflowTaskMethod, request, Unary, ct);

    public Task<RespondWorkflowTaskFailedResponse> RespondWorkflowTaskFailedAsync(RespondWorkflowTaskFailedRequest request, CancellationToken ct) => Call(FailWorkflowTaskMethod, request, Unary, ct);

    public Task<PollActivityTaskQueueResponse> PollActivityTaskQueueAsync(PollActivityTaskQueueRequest request, CancellationToken ct) => Call(PollActivityMethod, request, LongPoll, ct);

    public Task<RespondActivityTaskCompletedResponse> RespondActivityTaskCompletedAsync(RespondActivityTaskCompletedRequest request, CancellationToken ct) => Call(CompleteActivityMethod, request, Unary, ct);

    /// <summary>A history page; with wait_new_event a long poll.</summary>
    public Task<GetWorkflowExecutionHistoryResponse> GetWorkflowExecutionHistoryAsync(GetWorkflowExecutionHistoryRequest request, CancellationToken ct) =>
        Call(HistoryMethod, request, request.WaitNewEvent ? LongPoll : Unary, ct);

    public void Dispose() => _channel.Dispose();

    private Task<TResponse> Call<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, TimeSpan deadline, CancellationToken ct)
        where TRequest : class
        where TResponse : class =>
        _invoker.AsyncUnaryCall(method, null, new CallOptions(_headers, DateTime.UtcNow + deadline, ct), request).ResponseAsync;

    private static Method<TRequest, TResponse> M<TRequest, TResponse>(string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var requestParser = new MessageParser<TRequest>(() => new TRequest());
        var responseParser = new MessageParser<TResponse>(() => new TResponse());
        return new Method<TRequest, TResponse>(MethodType.Unary, Service, name,
            Marshallers.Create(r => r.ToByteArray(), requestParser.ParseFrom),
            Marshallers.Create(r => r.ToByteArray(), responseParser.ParseFrom));
    }
}
