namespace Tempora.Web;

/// <summary>Where the UI listens and where it finds the frontend; both read at request time, after the ports are bound.</summary>
/// <param name="UiPort">The bound UI port: requests on it are UI requests, UI routes on any other port answer 404.</param>
/// <param name="FrontendSocket">The Unix domain socket of the gRPC frontend the UI calls (<see cref="Core.Loopback.FrontendClient"/>).</param>
public sealed record WebUiSettings(Func<int> UiPort, string FrontendSocket)
{
    /// <summary>Host names the UI answers to besides IP literals, localhost and this machine's name (<see cref="Security.UiHostAllowList"/>).</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>The OpenID Connect login; null (the default) leaves the UI open to whoever reaches its port.</summary>
    public Security.UiAuthSettings? Auth { get; init; }
}
