using Tempora.Core;

namespace Tempora.Matching.Tests.Versioning;

public sealed class FarmHashTests
{
    /// <summary>FarmHash's published Fingerprint32 vectors (the hash of ramps here and of schedules' jitter), one per length class of the function (0–4, 5–12, 13–24, longer).</summary>
    [Theory]
    [InlineData("", 0xdc56d17au)]
    [InlineData("a", 0x3c973d4du)]
    [InlineData("abcd", 0x98b51e95u)]
    [InlineData("abcde", 0xa3f366acu)]
    [InlineData("0123456789", 0x9741ca1au)]
    [InlineData("0123456789-0", 0xf8cc7928u)]
    [InlineData("0123456789~01", 0x0d92cafbu)]
    [InlineData("0123456789*01234567", 0x5d4bd7f6u)]
    [InlineData("0123456789$0123456789!0", 0xfa88d020u)]
    [InlineData("size:  a.out:  bad magic", 0xc6246b8du)]
    [InlineData("Nepal premier won't resign.", 0x322984d9u)]
    [InlineData("Discard medicine more than two years old.", 0xe273108fu)]
    [InlineData("The major problem is with sendmail.  -Mark Horton", 0xd225e92eu)]
    [InlineData("For every action there is an equal and opposite government program.", 0xa5812ac8u)]
    public void Fingerprint32_MatchesFarmHash(string text, uint expected) =>
        Assert.Equal(expected, FarmHash.Fingerprint32(text));
}
