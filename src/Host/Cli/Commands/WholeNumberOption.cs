using System.CommandLine;
using System.Globalization;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// An option taking a whole number in a range. A value that is not one fails the parse with the same one line a
/// configuration file or variable gets (<c>--port: 'abc' is not a whole number from 0 to 65535</c>), not the parser's
/// own message naming a .NET type.
/// </summary>
internal static class WholeNumberOption
{
    public static Option<int?> Create(string name, string description, int min, int max) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (TryParse(text, min, max) is { } value)
            {
                return value;
            }

            result.AddError(Problem(name, text, min, max));
            return null;
        },
    };

    public static int? TryParse(string? text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max ? value : null;

    public static string Problem(string name, string? text, int min, int max) => $"{name}: '{text}' is not a whole number from {min} to {max}";
}
