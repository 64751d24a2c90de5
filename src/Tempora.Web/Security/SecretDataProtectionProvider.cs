using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Tempora.Web.Security;

/// <summary>
/// Data protection keyed from one shared secret, so that every replica behind an ingress reads the session cookies,
/// login state and antiforgery tokens the others wrote, with no key ring to store or share. Each purpose chain gets
/// its own AES-256-GCM key, derived with HKDF-SHA256 from the secret (info: the purposes, NUL-separated), so a value
/// protected for one purpose (a login's state) never unprotects as another (a session). Output: version byte, 12-byte
/// random nonce, 16-byte tag, ciphertext. Rotating the secret signs every user out; that is its only cost.
/// </summary>
public sealed class SecretDataProtectionProvider(byte[] secret) : IDataProtectionProvider
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _secret = secret.Length >= 32 ? (byte[])secret.Clone()
        : throw new ArgumentException("The session secret must have at least 32 bytes.", nameof(secret));

    public IDataProtector CreateProtector(string purpose) => new Protector(_secret, [purpose]);

    private sealed class Protector : IDataProtector
    {
        private readonly byte[] _secret;
        private readonly string[] _purposes;
        private readonly byte[] _key;

        public Protector(byte[] secret, string[] purposes)
        {
            _secret = secret;
            _purposes = purposes;
            _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, salt: [],
                info: Encoding.UTF8.GetBytes("tempora-ui-data-protection\0" + string.Join('\0', purposes)));
        }

        public IDataProtector CreateProtector(string purpose) => new Protector(_secret, [.. _purposes, purpose]);

        public byte[] Protect(byte[] plaintext)
        {
            var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
            output[0] = Version;
            var nonce = output.AsSpan(1, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(_key, TagSize);
            aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize));
            return output;
        }

        public byte[] Unprotect(byte[] protectedData)
        {
            if (protectedData.Length < 1 + NonceSize + TagSize || protectedData[0] != Version)
            {
                throw new CryptographicException("The protected data is not of this format.");
            }
            var plaintext = new byte[protectedData.Length - 1 - NonceSize - TagSize];
            using var aes = new AesGcm(_key, TagSize);
            // Throws AuthenticationTagMismatchException (a CryptographicException) for another secret or purpose, or a change.
            aes.Decrypt(protectedData.AsSpan(1, NonceSize), protectedData.AsSpan(1 + NonceSize + TagSize),
                protectedData.AsSpan(1 + NonceSize, TagSize), plaintext);
            return plaintext;
        }
    }
}
