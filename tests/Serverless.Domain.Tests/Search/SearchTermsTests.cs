using Serverless.Domain.Search;

namespace Serverless.Domain.Tests.Search;

public sealed class SearchTermsTests
{
    [Fact]
    public void Splits_on_non_letters_lower_cases_stems_and_removes_duplicates() =>
        Assert.Equal(["run", "connect", "o", "brien"], SearchTerms.Of("  Running-CONNECTIONS, connected O'Brien running!"));

    [Fact]
    public void Indexing_and_querying_agree_on_inflected_forms() =>
        Assert.Equal(SearchTerms.Of("Generously Connected"), SearchTerms.Of("generous connecting"));

    [Fact]
    public void Keeps_non_latin_letters_and_digits_as_words() =>
        Assert.Equal(["张伟", "müller", "3rd"], SearchTerms.Of("张伟 Müller 3rd"));

    [Fact]
    public void A_combining_accent_stays_inside_its_word() =>
        Assert.Equal(["jose\u0301", "garcia"], SearchTerms.Of("Jose\u0301 Garcia"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  --- !!! ")]
    public void Text_without_words_has_no_terms(string? text) => Assert.Empty(SearchTerms.Of(text));
}
