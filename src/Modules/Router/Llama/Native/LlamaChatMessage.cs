using System.Runtime.InteropServices;

namespace AuroraNode.Modules.Router.Llama.Native;

/// <summary>struct llama_chat_message: two UTF-8 C strings the caller keeps alive during the call.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaChatMessage
{
    public byte* Role;
    public byte* Content;
}
