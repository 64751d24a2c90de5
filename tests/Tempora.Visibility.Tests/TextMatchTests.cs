namespace Tempora.Visibility.Query.Tests;

public sealed class TextMatchTests
{
    [Theory]
    [InlineData("The quick brown fox", "QUICK fox", true)]
    [InlineData("The quick brown fox", "fox quick", true)]
    [InlineData("The quick brown fox", "quick cat", false)]
    [InlineData("The quick brown fox", "qui", false)]
    [InlineData("Hello-World foo_bar", "world bar", true)]
    [InlineData("contact a@b.com", "b.com", true)]
    [InlineData("release v1.2.3-rc1", "v1 rc1", true)]
    [InlineData("École naïve CAFÉ", "école café", true)]
    [InlineData("École", "ecole", false)]
    [InlineData("x😀y", "y", true)]
    [InlineData("x😀y", "x😀y", true)]
    [InlineData("日本語 テキスト", "テキスト", true)]
    [InlineData("e\u0301x", "E\u0301X", true)]
    [InlineData("ΣΑΣ", "σασ", true)]
    [InlineData("abc123", "abc", false)]
    [InlineData("", "a", false)]
    [InlineData("a", "", false)]
    [InlineData("a", "!!!", false)]
    public void Matches_EveryQueryWordIsAWordOfTheField(string field, string query, bool expected)
    {
        Assert.Equal(expected, TextMatch.Matches(field, query));
    }

    [Fact]
    public void Matches_NullField_IsFalse()
    {
        Assert.False(TextMatch.Matches(null, "a"));
    }

    [Fact]
    public void Matches_WordsLongerThanPostgresIndexes_AreIgnored()
    {
        var longWord = new string('a', TextMatch.MaxWordBytes + 1);
        Assert.False(TextMatch.Matches(longWord + " b", longWord));
        Assert.True(TextMatch.Matches(longWord + " b", "b"));
        Assert.Contains("is too long to match", Compile.Error($"CustomText = '{longWord}'"), StringComparison.Ordinal);
    }
}
