namespace Tempora.Frontend;

/// <summary>
/// Where this process serves gRPC, as other hosts reach it (ListTaskQueuePartitions' owner_host_name, Temporal's
/// matching host address). Made when first asked, once the server listens and its port is known; it may ask DNS.
/// </summary>
public sealed class HostAddress(Func<string> address)
{
    private readonly Lazy<string> _value = new(address);

    public string Value => _value.Value;
}
