using Tempora.Core.Versioning;

namespace Tempora.Matching.Tests.Versioning;

public sealed class DeploymentVersionTests
{
    [Theory]
    [InlineData("orders.1.0", "orders", "1.0")]
    [InlineData("orders:1.0", "orders", "1.0")]
    [InlineData("orders:build.7:x", "orders", "build.7:x")]
    public void TryParse_EitherForm_CutsAtTheFirstSeparator(string text, string deployment, string buildId)
    {
        Assert.True(DeploymentVersion.TryParse(text, out var version));
        Assert.Equal(new DeploymentVersion(deployment, buildId), version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("orders")]
    [InlineData(".build")]
    [InlineData("orders.")]
    public void TryParse_NoDeploymentOrNoBuildId_Fails(string text) =>
        Assert.False(DeploymentVersion.TryParse(text, out _));

    [Fact]
    public void Strings_AreTheTwoFormsTemporalWrites()
    {
        var version = new DeploymentVersion("orders", "b7");
        Assert.Equal("orders.b7", version.ToCanonicalString());
        Assert.Equal("orders:b7", version.ToSearchAttributeString());
    }
}
