using Serverless.Domain.Search;

namespace Serverless.Domain.Tests.Search;

public sealed class PorterStemmerTests
{
    // Pairs from Porter's paper and his published vocabulary/output lists.
    [Theory]
    [InlineData("running", "run")]
    [InlineData("connections", "connect")]
    [InlineData("connected", "connect")]
    [InlineData("connecting", "connect")]
    [InlineData("ponies", "poni")]
    [InlineData("caresses", "caress")]
    [InlineData("cats", "cat")]
    [InlineData("feed", "feed")]
    [InlineData("agreed", "agre")]
    [InlineData("plastered", "plaster")]
    [InlineData("motoring", "motor")]
    [InlineData("sing", "sing")]
    [InlineData("conflated", "conflat")]
    [InlineData("troubled", "troubl")]
    [InlineData("sized", "size")]
    [InlineData("hopping", "hop")]
    [InlineData("falling", "fall")]
    [InlineData("hissing", "hiss")]
    [InlineData("failing", "fail")]
    [InlineData("filing", "file")]
    [InlineData("happy", "happi")]
    [InlineData("sky", "sky")]
    [InlineData("relational", "relat")]
    [InlineData("conditional", "condit")]
    [InlineData("generalization", "gener")]
    [InlineData("hopeful", "hope")]
    [InlineData("goodness", "good")]
    [InlineData("adjustment", "adjust")]
    [InlineData("probate", "probat")]
    [InlineData("rate", "rate")]
    [InlineData("controlling", "control")]
    [InlineData("generously", "gener")]
    [InlineData("archaeology", "archaeolog")]
    public void Stems_english_words_as_porter_defines(string word, string stem) =>
        Assert.Equal(stem, PorterStemmer.Stem(word));

    [Theory]
    [InlineData("is")]
    [InlineData("a")]
    [InlineData("josé")]
    [InlineData("r2d2")]
    [InlineData("müller")]
    public void Leaves_short_and_non_ascii_words_unchanged(string word) =>
        Assert.Equal(word, PorterStemmer.Stem(word));
}
