using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tempora.Core.Loopback;

namespace Tempora.Web;

/// <summary>The web role's entry points: services, then routes.</summary>
public static class WebUiExtensions
{
    /// <summary>The service key of the UI's own <see cref="FrontendClient"/>.</summary>
    public const string FrontendKey = "web-ui";

    public static IServiceCollection AddWebUi(this IServiceCollection services, WebUiSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        // A singleton so that the host disposes the channel on shutdown. Keyed: the worker role's client (unkeyed) proves
        // the system's own calls, and the UI must never send that proof for its users.
        services.AddKeyedSingleton(FrontendKey, (_, _) => new FrontendClient(settings.FrontendSocket));
        return services;
    }

    /// <summary>Maps the pages; they answer on the UI port only (<see cref="WebUiSettings.UiPort"/>).</summary>
    public static WebApplication MapWebUi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        WebUiEndpoints.Map(app);
        return app;
    }
}
