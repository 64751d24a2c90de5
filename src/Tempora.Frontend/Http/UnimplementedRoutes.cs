using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Temporalio.Api.Dependencies.Google.Api;

namespace Tempora.Frontend.Http;

/// <summary>
/// The HTTP routes of the RPCs Tempora does not implement. JSON transcoding gives an RPC routes only when it has a
/// handler, so these would be an empty 404; Temporal answers them 501 with a google.rpc.Status (code 12), and so do
/// these, with the same message as the gRPC call (<see cref="UnimplementedReasons"/>).
/// </summary>
internal static partial class UnimplementedRoutes
{
    public static void Map(IEndpointRouteBuilder endpoints, ServiceDescriptor service, Type serviceType)
    {
        foreach (var method in HttpBindings.Unimplemented(service, serviceType))
        {
            if (!method.GetOptions()?.HasExtension(AnnotationsExtensions.Http) ?? true)
            {
                continue;
            }
            var rule = method.GetOptions().GetExtension(AnnotationsExtensions.Http);
            var message = UnimplementedReasons.MessageFor(method.FullName, service.FullName, method.Name);
            foreach (var binding in rule.AdditionalBindings.Prepend(rule))
            {
                if (Verb(binding) is not ({ } verb, { } template))
                {
                    continue;
                }
                endpoints.MapMethods(RoutePattern(template), [verb],
                        context => HttpApiStatus.WriteAsync(context, StatusCode.Unimplemented, message))
                    .WithMetadata(new HttpApiRoute(method))
                    .WithDisplayName($"HTTP API {verb} {template} (unimplemented {method.Name})");
            }
        }
    }

    private static (string? Verb, string? Template) Verb(HttpRule rule) => rule.PatternCase switch
    {
        HttpRule.PatternOneofCase.Get => ("GET", rule.Get),
        HttpRule.PatternOneofCase.Post => ("POST", rule.Post),
        HttpRule.PatternOneofCase.Put => ("PUT", rule.Put),
        HttpRule.PatternOneofCase.Delete => ("DELETE", rule.Delete),
        HttpRule.PatternOneofCase.Patch => ("PATCH", rule.Patch),
        _ => (null, null),
    };

    /// <summary>
    /// <c>/namespaces/{namespace}/workflows/{execution.workflow_id}</c> as an ASP.NET route pattern: the variables only
    /// need to match, not bind, so each becomes a plain parameter (a catch-all where the template has <c>**</c>).
    /// </summary>
    internal static string RoutePattern(string template)
    {
        var index = 0;
        return Variable().Replace(template, match => match.Groups["path"].Value.Contains("**", StringComparison.Ordinal)
            ? $"{{*v{index++}}}"
            : $"{{v{index++}}}");
    }

    [GeneratedRegex(@"\{(?<name>[^}=]+)(=(?<path>[^}]*))?\}")]
    private static partial Regex Variable();
}

/// <summary>Endpoint metadata of an HTTP API route that JSON transcoding did not create (<see cref="UnimplementedRoutes"/>).</summary>
internal sealed record HttpApiRoute(MethodDescriptor Method);
