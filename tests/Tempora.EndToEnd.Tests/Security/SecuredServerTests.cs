using Tempora.Frontend.Authorization;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// Everything on at once, as a user exposing port 7233 would run it: mTLS on the gRPC port and Temporal's default JWT
/// authorizer, keys from a file:// JWKS. An SDK worker with the right certificate and token runs workflows unchanged;
/// a reader with a certificate cannot terminate; a writer's token without a certificate does not get in.
/// </summary>
public sealed class SecuredServerTests
{
    [Fact]
    public async Task MtlsAndJwt_WorkerWithCertificateAndToken_RunsWorkflows_ReaderCannotTerminate_TokenWithoutCertificateRefused()
    {
        using var key = TestSigningKey.Rsa($"secured-{Guid.NewGuid():N}");
        var jwksDirectory = TestFiles.NewTempDir();
        try
        {
            var jwksFile = Path.Combine(jwksDirectory, "jwks.json");
            await File.WriteAllTextAsync(jwksFile, TestSigningKey.Jwks([key]));
            await using var tls = await TlsTestServer.StartAsync("secured", t => new Server.TlsOptions { Frontend = t.FrontendSettings(requireClientAuth: true) },
                configure: o => o with
                {
                    Authorization = new AuthorizationSettings
                    {
                        Authorizer = "default",
                        ClaimMapper = "default",
                        KeySourceUris = [new Uri(jwksFile).AbsoluteUri],
                    },
                });
            var writer = await tls.ConnectAsync(tls.ClientLeaf, key.Token("worker-1", ["default:write"]));
            Assert.Equal("Hello, secured!", await TlsSdkTests.RunHelloAsync(writer, "secured"));

            // A workflow left running, which a reader may see but not end.
            var id = ServerFixture.NewWorkflowId("secured");
            var handle = await writer.StartWorkflowAsync((HelloWorkflow w) => w.RunAsync("never run"),
                new WorkflowOptions(id, ServerFixture.NewTaskQueue("secured-idle")));
            var reader = await tls.ConnectAsync(tls.ClientLeaf, key.Token("reader-1", ["default:read"]));
            var readersView = reader.GetWorkflowHandle(id);
            Assert.Equal(Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Running, (await readersView.DescribeAsync()).Status);
            var refused = await Assert.ThrowsAsync<RpcException>(() => readersView.TerminateAsync("a reader tries"));
            Assert.Equal(RpcException.StatusCode.PermissionDenied, refused.Code);
            Assert.Equal(Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);

            // The writer's token does not replace the certificate: the TLS handshake refuses the connection first.
            await Assert.ThrowsAnyAsync<Exception>(() => tls.ConnectAsync(token: key.Token("worker-1", ["default:write"])));
            await handle.TerminateAsync("done");
        }
        finally
        {
            TestFiles.TryDeleteDirectory(jwksDirectory);
        }
    }
}
