// strip-tools.csx: for a text-only model, send no tools at all.
// Removes `tools` and `tool_choice`, and turns earlier tool calls and results into plain text so a chat
// template without tool roles accepts the history. (The built-in `strip-tools` transform does the same
// for a backend configured with "supportsTools": false; this script does it by hand, e.g. for one backend.)
//
// Enable: copy this file into ~/.anyclaude/scripts/ (or the scripts/ folder beside anyclaude).
// Limit it to some backends with a first line such as:  // backends: mlx-lm

if (Request.Tools is { Count: > 0 } tools)
{
    Log.LogDebug("strip-tools: removing {Count} tools for {Backend}", tools.Count, Backend.Name);
}

Request.Tools = null;
Request.ToolChoice = null;

var toolNames = new Dictionary<string, string>();
foreach (var message in Request.Messages)
{
    for (int i = 0; i < message.Content.Count; i++)
    {
        switch (message.Content[i])
        {
            case ToolUseBlock use:
                toolNames[use.Id] = use.Name;
                message.Content[i] = new TextBlock($"[called {use.Name} with {use.Input.GetRawText()}]");
                break;
            case ToolResultBlock result:
                string text = string.Join("\n", (result.Content ?? []).OfType<TextBlock>().Select(b => b.Text));
                string name = toolNames.TryGetValue(result.ToolUseId, out var n) ? n : result.ToolUseId;
                message.Content[i] = new TextBlock($"[{name} returned: {text}]");
                break;
        }
    }
}
