using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Hosting;
using Tempora.Core.Loopback;
using Tempora.Web.Security;

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
        if (settings.Auth is { } auth && auth.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(settings));
        }
        UiAntiforgery.AddServices(services);
        if (settings.Auth is not null)
        {
            UiLogin.AddServices(services, settings.Auth);
        }
        UseOwnDataProtection(services, settings.Auth?.SessionSecret);
        return services;
    }

    /// <summary>
    /// Antiforgery and the login protect their tokens and cookies with data protection. ASP.NET Core's default keeps
    /// a key ring under the user's home directory (written at start by a hosted service); the UI uses keys of this
    /// process instead, or keys derived from the shared session secret so that replicas read each other's cookies.
    /// </summary>
    private static void UseOwnDataProtection(IServiceCollection services, byte[]? secret)
    {
        services.Replace(ServiceDescriptor.Singleton<IDataProtectionProvider>(secret is null
            ? new EphemeralDataProtectionProvider()
            : new SecretDataProtectionProvider(secret)));
        foreach (var keyRing in services.Where(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService").ToList())
        {
            services.Remove(keyRing);
        }
    }

    /// <summary>Maps the pages; they answer on the UI port only (<see cref="WebUiSettings.UiPort"/>).</summary>
    public static WebApplication MapWebUi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        WebUiEndpoints.Map(app);
        return app;
    }
}
