using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tempora.Core.Loopback;

namespace Tempora.Web;

/// <summary>The web role's entry points: services, then routes.</summary>
public static class WebUiExtensions
{
    public static IServiceCollection AddWebUi(this IServiceCollection services, WebUiSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        // A singleton so that the host disposes the channel on shutdown; the host may have registered one already (the
        // worker role shares it).
        services.TryAddSingleton(_ => new FrontendClient(settings.FrontendSocket));
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
