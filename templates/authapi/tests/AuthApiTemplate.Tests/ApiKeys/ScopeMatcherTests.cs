using AuthApiTemplate.Auth;

namespace AuthApiTemplate.Tests.ApiKeys;

public sealed class ScopeMatcherTests
{
    [Theory]
    [InlineData("items:*", "items:read", true)]
    [InlineData("items:*", "items:write", true)]
    [InlineData("items:*", "orders:read", false)]
    [InlineData("items", "items:read", false)]
    [InlineData("items:read", "items:read", true)]
    [InlineData("items:read", "items:write", false)]
    [InlineData("Items:read", "items:read", false)]
    [InlineData("items:READ", "items:read", false)]
    [InlineData("*", "items:read", true)]
    [InlineData("*:read", "items:read", true)]
    [InlineData("*:read", "items:write", false)]
    [InlineData("items:*", "items", false)]
    [InlineData("items:*", "items:read:own", true)]
    [InlineData("items:read", "items:read:own", false)]
    public void Wildcards_match_segment_by_segment_ordinally(string granted, string required, bool grants) =>
        Assert.Equal(grants, ScopeMatcher.Grants(granted, required));

    [Theory]
    [InlineData("items:*", "items:read", true)]
    [InlineData("items:*", "items:*", true)]
    [InlineData("items:read", "items:*", false)]
    [InlineData("items:*", "*", false)]
    [InlineData("*", "*", true)]
    [InlineData("*:read", "items:read", true)]
    [InlineData("*:read", "*:*", false)]
    [InlineData("items", "items:read", false)]
    public void A_holder_covers_only_what_it_grants_itself(string held, string requested, bool covers) =>
        Assert.Equal(covers, ScopeMatcher.Covers(held, requested));

    [Theory]
    [InlineData("items:read", true)]
    [InlineData("*", true)]
    [InlineData("items:*", true)]
    [InlineData("", false)]
    [InlineData("items read", false)]
    [InlineData("items:", false)]
    [InlineData(":read", false)]
    [InlineData("it*ms:read", false)]
    [InlineData("items:\"read\"", false)]
    [InlineData("items:re\\ad", false)]
    [InlineData("items:r\u00e9ad", false)]
    public void Scope_strings_are_rfc_6749_characters_in_non_empty_segments(string scope, bool valid) =>
        Assert.Equal(valid, ScopeMatcher.IsValid(scope));
}
