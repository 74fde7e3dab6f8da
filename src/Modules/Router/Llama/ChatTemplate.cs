using System.Runtime.InteropServices;
using System.Text;
using AuroraNode.Modules.Router.Llama.Native;

namespace AuroraNode.Modules.Router.Llama;

/// <summary>
/// Turns chat messages into a prompt with llama.cpp's built-in templates (llama_chat_apply_template): it knows
/// the common formats by their Jinja text (a model's tokenizer.chat_template) or by name ("chatml", "llama3", ...),
/// but runs no Jinja, so an unknown template gives null.
/// </summary>
internal static unsafe class ChatTemplate
{
    public static string? Apply(string template, IReadOnlyList<ChatMessage> messages, bool addAssistant = true)
    {
        var encoded = messages.Select(m => (Role: Terminated(m.Role), Content: Terminated(m.Content))).ToArray();
        var handles = new List<GCHandle>();
        try
        {
            var chat = new LlamaChatMessage[encoded.Length];
            for (var i = 0; i < encoded.Length; i++)
            {
                var role = GCHandle.Alloc(encoded[i].Role, GCHandleType.Pinned);
                var content = GCHandle.Alloc(encoded[i].Content, GCHandleType.Pinned);
                handles.Add(role);
                handles.Add(content);
                chat[i] = new LlamaChatMessage { Role = (byte*)role.AddrOfPinnedObject(), Content = (byte*)content.AddrOfPinnedObject() };
            }

            var tmpl = Terminated(template);
            var buffer = new byte[Math.Max(256, encoded.Sum(m => m.Role.Length + m.Content.Length) * 2)];
            fixed (byte* t = tmpl)
            fixed (LlamaChatMessage* c = chat)
            {
                while (true)
                {
                    int n;
                    fixed (byte* b = buffer)
                    {
                        n = LlamaNative.llama_chat_apply_template(t, c, (nuint)chat.Length, addAssistant, b, buffer.Length);
                    }

                    if (n < 0)
                    {
                        return null;
                    }

                    if (n <= buffer.Length)
                    {
                        return Encoding.UTF8.GetString(buffer, 0, n);
                    }

                    buffer = new byte[n];
                }
            }
        }
        finally
        {
            foreach (var h in handles)
            {
                h.Free();
            }
        }
    }

    private static byte[] Terminated(string s)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }
}
