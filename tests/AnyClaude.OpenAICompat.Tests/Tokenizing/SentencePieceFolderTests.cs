using AnyClaude.OpenAICompat.Tokenizing;
using Google.Protobuf;

namespace AnyClaude.OpenAICompat.Tests.Tokenizing;

/// <summary>
/// A SentencePiece <c>tokenizer.model</c> (Llama 2, Mistral, Gemma) through Microsoft.ML.Tokenizers. No npm package ships
/// one, so the model is a tiny BPE vocabulary written here in sentencepiece_model.proto's wire format: <c>▁he</c> and
/// <c>llo</c> are pieces, so "hello" (with its dummy-prefix <c>▁</c>) is two tokens after the beginning-of-sentence one.
/// </summary>
public sealed class SentencePieceFolderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("anyclaude-sentencepiece-").FullName;

    [Theory]
    [InlineData("hello", 3)]
    [InlineData("hello hello", 5)]
    [InlineData("oh", 4)]
    public void A_tokenizer_model_counts_with_its_pieces_and_the_bos_token(string text, int expected)
    {
        File.WriteAllBytes(Path.Combine(_folder, "tokenizer.model"), TinyBpeModel());

        ModelTokenizerFiles.Load(_folder).CountTokens(text).ShouldBe(expected);
    }

    [Fact]
    public void A_tokenizer_json_that_is_not_byte_level_gives_way_to_the_tokenizer_model_beside_it()
    {
        // Llama 2's tokenizer.json is a Metaspace BPE with byte fallback, which BpeTokenizer does not read.
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), """{"model": {"type": "BPE", "vocab": {}, "merges": []}, "pre_tokenizer": {"type": "Metaspace"}}""");
        Should.Throw<NotSupportedException>(() => ModelTokenizerFiles.Load(_folder)).Message.ShouldContain("not a byte-level BPE");

        File.WriteAllBytes(Path.Combine(_folder, "tokenizer.model"), TinyBpeModel());
        ModelTokenizerFiles.Load(_folder).CountTokens("hello").ShouldBe(3);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>ModelProto { pieces = 1; trainer_spec = 2 { model_type = 3: BPE, vocab_size = 4, unk/bos/eos ids 40–42 }; normalizer_spec = 3 }.</summary>
    private static byte[] TinyBpeModel()
    {
        (string Piece, float Score, int Type)[] pieces =
        [
            ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3),
            ("▁h", -1, 1), ("▁he", -2, 1), ("ll", -3, 1), ("llo", -4, 1),
            ("▁", -5, 1), ("h", -6, 1), ("e", -7, 1), ("l", -8, 1), ("o", -9, 1),
        ];
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        foreach (var (piece, score, type) in pieces)
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(m =>
            {
                m.WriteTag(1, WireFormat.WireType.LengthDelimited);
                m.WriteString(piece);
                m.WriteTag(2, WireFormat.WireType.Fixed32);
                m.WriteFloat(score);
                m.WriteTag(3, WireFormat.WireType.Varint);
                m.WriteInt32(type);
            }));
        }

        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(m =>
        {
            foreach (var (field, value) in (ReadOnlySpan<(int, int)>)[(3, 2), (4, pieces.Length), (40, 0), (41, 1), (42, 2), (43, -1)])
            {
                m.WriteTag(field, WireFormat.WireType.Varint);
                m.WriteInt32(value);
            }
        }));
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(m =>
        {
            m.WriteTag(1, WireFormat.WireType.LengthDelimited);
            m.WriteString("identity");
            foreach (int field in (ReadOnlySpan<int>)[3, 4, 5])
            {
                m.WriteTag(field, WireFormat.WireType.Varint);
                m.WriteBool(true);
            }
        }));
        output.Flush();
        return buffer.ToArray();
    }

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return ByteString.CopyFrom(buffer.ToArray());
    }
}
