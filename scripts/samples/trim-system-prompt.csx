// trim-system-prompt.csx: shorten Claude Code's system prompt (about 15k tokens) for a small-context model.
// Keeps at most MaxCharsPerBlock characters of each system block and drops whole blocks once the total reaches
// Budget characters. The result depends only on the system prompt, which Claude Code keeps identical for a
// session, so the backend's prefix cache still hits turn after turn.
//
// Enable: copy this file into ~/.anyclaude/scripts/ (or the scripts/ folder beside anyclaude) and adjust the
// numbers. Limit it to some backends with a first line such as:  // backends: mlx-lm

const int MaxCharsPerBlock = 6000;
const int Budget = 12000;

if (Request.System is { Count: > 0 } system)
{
    int before = system.Sum(b => b.Text.Length);
    int used = 0;
    var kept = new List<TextBlock>();
    foreach (var block in system)
    {
        if (used >= Budget)
        {
            break;
        }

        int room = Math.Min(MaxCharsPerBlock, Budget - used);
        if (block.Text.Length > room)
        {
            block.Text = block.Text[..room] + "\n[…trimmed]";
        }

        used += block.Text.Length;
        kept.Add(block);
    }

    Request.System = kept;
    Log.LogDebug("trim-system-prompt: {Before} -> {After} characters for {Backend}", before, used, Backend.Name);
}
