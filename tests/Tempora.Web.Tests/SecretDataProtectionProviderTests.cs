using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Tempora.Web.Security;

namespace Tempora.Web.Tests;

/// <summary>Replicas sharing a session secret read each other's protected values; nothing else does.</summary>
public sealed class SecretDataProtectionProviderTests
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(48);
    private static readonly byte[] Value = "a session ticket"u8.ToArray();

    [Fact]
    public void Unprotect_OtherInstanceSameSecretAndPurpose_ReturnsTheValue()
    {
        var written = new SecretDataProtectionProvider(Secret).CreateProtector("cookie").CreateProtector("v2").Protect(Value);

        var read = new SecretDataProtectionProvider((byte[])Secret.Clone()).CreateProtector("cookie").CreateProtector("v2").Unprotect(written);

        Assert.Equal(Value, read);
    }

    [Fact]
    public void Unprotect_OtherSecretOrPurposeOrChangedData_Throws()
    {
        var protector = new SecretDataProtectionProvider(Secret).CreateProtector("cookie");
        var written = protector.Protect(Value);
        var changed = (byte[])written.Clone();
        changed[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => new SecretDataProtectionProvider(RandomNumberGenerator.GetBytes(48)).CreateProtector("cookie").Unprotect(written));
        Assert.ThrowsAny<CryptographicException>(() => new SecretDataProtectionProvider(Secret).CreateProtector("antiforgery").Unprotect(written));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(changed));
        Assert.NotEqual(written, protector.Protect(Value)); // a fresh nonce each time
    }

    [Fact]
    public void Constructor_ShortSecret_Throws() =>
        Assert.Throws<ArgumentException>(() => new SecretDataProtectionProvider(new byte[16]));
}
