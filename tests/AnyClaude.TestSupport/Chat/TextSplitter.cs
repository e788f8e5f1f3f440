namespace AnyClaude.TestSupport;

/// <summary>Cuts text into small pieces the way a model streams tokens, never splitting a surrogate pair.</summary>
internal static class TextSplitter
{
    /// <summary>Pieces of about <paramref name="size"/> characters; none for an empty string.</summary>
    public static IEnumerable<string> Split(string text, int size)
    {
        var start = 0;
        while (start < text.Length)
        {
            var length = Math.Min(size, text.Length - start);
            if (start + length < text.Length && char.IsHighSurrogate(text[start + length - 1]))
            {
                length++;
            }

            yield return text.Substring(start, length);
            start += length;
        }
    }
}
