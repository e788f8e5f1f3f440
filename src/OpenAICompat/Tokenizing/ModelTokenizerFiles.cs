using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace AnyClaude.OpenAICompat.Tokenizing;

/// <summary>
/// Builds a <see cref="Tokenizer"/> (Microsoft.ML.Tokenizers) from a model folder's own files, in this order:
/// <c>tokenizer.json</c> when it is a byte-level BPE (Qwen2/3, Llama 3, DeepSeek, …), <c>tokenizer.model</c> (SentencePiece:
/// Llama 2, Mistral, Gemma), <c>vocab.json</c> + <c>merges.txt</c> (byte-level BPE with Qwen2's pre-tokenizer pattern).
/// A file it cannot use throws <see cref="NotSupportedException"/> or <see cref="InvalidDataException"/> saying why.
/// </summary>
internal static class ModelTokenizerFiles
{
    /// <summary>Qwen2's split pattern: what a vocab.json + merges.txt folder is pre-tokenized with when its tokenizer.json does not say.</summary>
    internal const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Whether the folder holds any file this can read (a folder without them is not an error, just nothing to count with).</summary>
    public static bool HasAny(string folder) =>
        File.Exists(Path.Combine(folder, "tokenizer.json")) || File.Exists(Path.Combine(folder, "tokenizer.model"))
        || (File.Exists(Path.Combine(folder, "vocab.json")) && File.Exists(Path.Combine(folder, "merges.txt")));

    public static Tokenizer Load(string folder)
    {
        string json = Path.Combine(folder, "tokenizer.json");
        string model = Path.Combine(folder, "tokenizer.model");
        string vocab = Path.Combine(folder, "vocab.json");
        string merges = Path.Combine(folder, "merges.txt");
        NotSupportedException? unsupported = null;
        if (File.Exists(json))
        {
            try
            {
                return FromTokenizerJson(json);
            }
            catch (NotSupportedException exception) when (File.Exists(model) || File.Exists(vocab))
            {
                unsupported = exception;
            }
        }

        if (File.Exists(model))
        {
            using var stream = File.OpenRead(model);
            return SentencePieceTokenizer.Create(stream, true, false);
        }

        if (File.Exists(vocab) && File.Exists(merges))
        {
            using var vocabStream = File.OpenRead(vocab);
            using var vocabulary = JsonDocument.Parse(vocabStream);
            return ByteLevelBpe(ReadVocabulary(vocabulary.RootElement), File.ReadLines(merges).Where(line => line.Length > 0 && !line.StartsWith("#version", StringComparison.Ordinal)).ToList(), Qwen2Pattern, specialTokens: null, nfc: true);
        }

        throw (Exception?)unsupported ?? new FileNotFoundException($"no tokenizer.json, tokenizer.model or vocab.json + merges.txt in {folder}");
    }

    private static Tokenizer FromTokenizerJson(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var model = root.GetProperty("model");
        string type = model.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        if (type != "BPE")
        {
            throw new NotSupportedException($"tokenizer.json has a {(type.Length == 0 ? "model of no type" : type + " model")}; only byte-level BPE is read");
        }

        string? pattern = null;
        bool byteLevel = false;
        if (root.TryGetProperty("pre_tokenizer", out var preTokenizer))
        {
            foreach (var step in Steps(preTokenizer, "pretokenizers"))
            {
                switch (step.GetProperty("type").GetString())
                {
                    case "Split" when step.TryGetProperty("pattern", out var split) && split.TryGetProperty("Regex", out var regex):
                        pattern ??= regex.GetString();
                        break;
                    case "ByteLevel":
                        byteLevel = true;
                        if (step.TryGetProperty("use_regex", out var useRegex) && useRegex.ValueKind == JsonValueKind.True)
                        {
                            pattern ??= Gpt2Pattern;
                        }

                        break;
                }
            }
        }

        if (!byteLevel)
        {
            throw new NotSupportedException("tokenizer.json is not a byte-level BPE (a SentencePiece-style one needs tokenizer.model)");
        }

        var merges = model.GetProperty("merges").EnumerateArray()
            .Select(merge => merge.ValueKind == JsonValueKind.Array ? string.Join(' ', merge.EnumerateArray().Select(part => part.GetString())) : merge.GetString()!)
            .ToList();
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var added))
        {
            foreach (var token in added.EnumerateArray())
            {
                special[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
            }
        }

        bool nfc = root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind == JsonValueKind.Object
            && Steps(normalizer, "normalizers").Any(step => step.GetProperty("type").GetString() == "NFC");
        return ByteLevelBpe(ReadVocabulary(model.GetProperty("vocab")), merges, pattern ?? Gpt2Pattern, special, nfc);
    }

    /// <summary>GPT-2's split pattern, what a ByteLevel pre-tokenizer with <c>use_regex</c> applies.</summary>
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static Tokenizer ByteLevelBpe(Dictionary<string, int> vocabulary, List<string> merges, string pattern, Dictionary<string, int>? specialTokens, bool nfc)
    {
        var options = new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), specialTokens),
            SpecialTokens = specialTokens,
            Normalizer = nfc ? new NfcNormalizer() : null,
        };
        return BpeTokenizer.Create(options);
    }

    private static Dictionary<string, int> ReadVocabulary(JsonElement vocabulary)
    {
        if (vocabulary.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("the vocabulary is not a JSON object of token ids");
        }

        var tokens = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocabulary.EnumerateObject())
        {
            tokens[entry.Name] = entry.Value.GetInt32();
        }

        return tokens;
    }

    /// <summary>A pre-tokenizer or normalizer and, when it is a Sequence, its steps.</summary>
    private static IEnumerable<JsonElement> Steps(JsonElement element, string listName) =>
        element.ValueKind != JsonValueKind.Object ? []
        : element.TryGetProperty(listName, out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList()
        : [element];

    private sealed class NfcNormalizer : Normalizer
    {
        public override string Normalize(string original) => original.Normalize(System.Text.NormalizationForm.FormC);

        public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
    }
}
