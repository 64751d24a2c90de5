namespace Tempora.Frontend.Http;

/// <summary>Where the HTTP API listens: the bound port (resolved after start when 0 was asked for), null when off.</summary>
public sealed record HttpApiSettings(Func<int?> Port)
{
    public static HttpApiSettings Off { get; } = new(() => null);
}
