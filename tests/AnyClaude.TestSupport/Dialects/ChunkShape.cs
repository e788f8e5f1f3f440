using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>
/// How an OpenAI-style server lays out what its chunks share, as data: the identity fields in its own order, the name
/// of the reasoning field, and where the delta's content goes. <see cref="FlavorDialect"/> writes the parts from it;
/// each dialect keeps the quirks that are more than data.
/// </summary>
internal sealed record ChunkShape
{
    public const string Id = "id";
    public const string Object = "object";
    public const string Created = "created";
    public const string Model = "model";
    public const string Fingerprint = "system_fingerprint";

    /// <summary>The identity fields in the order the server writes them (<see cref="Fingerprint"/> only where it sends one).</summary>
    public required IReadOnlyList<string> Identity { get; init; }

    /// <summary>The <c>system_fingerprint</c> of an answer, when <see cref="Identity"/> has it.</summary>
    public Func<CompletionMeta, string>? FingerprintOf { get; init; }

    /// <summary><c>reasoning</c> (vLLM, Ollama) or <c>reasoning_content</c> (llama.cpp, LM Studio).</summary>
    public string ReasoningField { get; init; } = "reasoning";

    /// <summary>vLLM: the first delta carries <c>content</c> (empty if need be) and content comes before the reasoning.</summary>
    public bool ContentFirst { get; init; }

    public void WriteIdentity(Utf8JsonWriter w, CompletionMeta meta, string objectType)
    {
        foreach (string field in Identity)
        {
            switch (field)
            {
                case Id:
                    w.WriteString(Id, meta.Id);
                    break;
                case Object:
                    w.WriteString(Object, objectType);
                    break;
                case Created:
                    w.WriteNumber(Created, meta.Created);
                    break;
                case Model:
                    w.WriteString(Model, meta.Model);
                    break;
                case Fingerprint:
                    w.WriteString(Fingerprint, FingerprintOf!(meta));
                    break;
                default:
                    throw new InvalidOperationException($"unknown identity field '{field}'");
            }
        }
    }
}
