namespace AuthApiTemplate.Auth;

/// <summary>
/// Scopes are colon-separated segments (<c>items:read</c>). A granted <c>*</c> segment matches any one
/// segment, and a trailing <c>*</c> also matches everything below it (<c>*</c> alone grants every scope).
/// Matching is ordinal and case-sensitive; a scope without a wildcard grants only itself.
/// </summary>
public static class ScopeMatcher
{
    public const char Separator = ':';
    public const string Wildcard = "*";
    public const int MaxLength = 200;

    /// <summary>True when <paramref name="granted"/> grants the concrete scope <paramref name="required"/>.</summary>
    public static bool Grants(string granted, string required)
    {
        var grantedSegments = granted.Split(Separator);
        var requiredSegments = required.Split(Separator);
        for (var i = 0; i < grantedSegments.Length; i++)
        {
            var isLast = i == grantedSegments.Length - 1;
            if (grantedSegments[i] == Wildcard && isLast)
            {
                return requiredSegments.Length > i;
            }

            if (i >= requiredSegments.Length || (grantedSegments[i] != Wildcard && !string.Equals(grantedSegments[i], requiredSegments[i], StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return grantedSegments.Length == requiredSegments.Length;
    }

    /// <summary>
    /// True when everything <paramref name="requested"/> grants is also granted by <paramref name="held"/>:
    /// nobody hands out more than they hold.
    /// </summary>
    public static bool Covers(string held, string requested)
    {
        var heldSegments = held.Split(Separator);
        var requestedSegments = requested.Split(Separator);
        for (var i = 0; i < heldSegments.Length; i++)
        {
            var isLast = i == heldSegments.Length - 1;
            if (heldSegments[i] == Wildcard && isLast)
            {
                return requestedSegments.Length > i;
            }

            if (i >= requestedSegments.Length)
            {
                return false;
            }

            var requestedIsOpenEnded = requestedSegments[i] == Wildcard && i == requestedSegments.Length - 1;
            if (heldSegments[i] == Wildcard ? requestedIsOpenEnded : !string.Equals(heldSegments[i], requestedSegments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return heldSegments.Length == requestedSegments.Length;
    }

    public static bool Covers(IEnumerable<string> held, string requested) => held.Any(h => Covers(h, requested));

    /// <summary>
    /// A scope is RFC 6749 §3.3 characters (printable ASCII without space, quote or backslash) in
    /// non-empty colon-separated segments, where <c>*</c> may only stand as a whole segment.
    /// </summary>
    public static bool IsValid(string? scope)
    {
        if (string.IsNullOrEmpty(scope) || scope.Length > MaxLength)
        {
            return false;
        }

        foreach (var character in scope)
        {
            if (character is < '!' or > '~' or '"' or '\\')
            {
                return false;
            }
        }

        foreach (var segment in scope.Split(Separator))
        {
            if (segment.Length == 0 || (segment.Contains('*', StringComparison.Ordinal) && segment != Wildcard))
            {
                return false;
            }
        }

        return true;
    }
}
