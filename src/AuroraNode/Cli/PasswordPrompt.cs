using System.Text;

namespace AuroraNode.Cli;

/// <summary>Reads a password: the first line of stdin when it is redirected (scripts), else typed at a prompt without echo.</summary>
internal static class PasswordPrompt
{
    public static async Task<string?> ReadAsync(string prompt)
    {
        if (Console.IsInputRedirected)
        {
            return (await Console.In.ReadLineAsync())?.TrimEnd('\r');
        }

        await Console.Error.WriteAsync(prompt);
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        await Console.Error.WriteLineAsync();
        return password.ToString();
    }
}
