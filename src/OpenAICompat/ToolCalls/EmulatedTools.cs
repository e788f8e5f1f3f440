using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>
/// The tools a request offered before tool emulation took them out of it, per call: the response side still needs
/// them to read the calls the model prints. Kept only as long as the call is.
/// </summary>
internal static class EmulatedTools
{
    private static readonly ConditionalWeakTable<BackendCall, List<Tool>> Offered = [];

    public static void Remember(BackendCall call, List<Tool> tools) => Offered.AddOrUpdate(call, tools);

    public static List<Tool>? For(BackendCall call) => Offered.TryGetValue(call, out var tools) ? tools : null;
}
