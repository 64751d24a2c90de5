using System.Buffers.Binary;
using System.Numerics;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>
/// FarmHash's 32-bit fingerprint (the "mk" variant that Go's github.com/dgryski/go-farm exposes as Fingerprint32).
/// Temporal derives jitter from it, so we need the same bits, not just a good hash.
/// </summary>
internal static class FarmHash32
{
    private const uint C1 = 0xcc9e2d51;
    private const uint C2 = 0x1b873593;
    private const uint MixAdd = 0xe6546b64;

    public static uint Fingerprint(ReadOnlySpan<byte> s)
    {
        var length = s.Length;
        if (length <= 4)
        {
            return UpTo4(s);
        }
        if (length <= 12)
        {
            return From5To12(s);
        }
        if (length <= 24)
        {
            return From13To24(s);
        }

        uint h = (uint)length, g = C1 * (uint)length, f = g;
        var a0 = Scramble(Word(s, length - 4));
        var a1 = Scramble(Word(s, length - 8));
        var a2 = Scramble(Word(s, length - 16));
        var a3 = Scramble(Word(s, length - 12));
        var a4 = Scramble(Word(s, length - 20));
        h = Step(h ^ a0);
        h = Step(h ^ a2);
        g = Step(g ^ a1);
        g = Step(g ^ a3);
        f = BitOperations.RotateRight(f + a4, 19) + 113;

        // Whole 20-byte blocks from the front while more than 20 bytes remain.
        while (s.Length > 20)
        {
            uint a = Word(s, 0), b = Word(s, 4), c = Word(s, 8), d = Word(s, 12), e = Word(s, 16);
            h += a;
            g += b;
            f += c;
            h = Mur(d, h) + e;
            g = Mur(c, g) + a;
            f = Mur(b + (e * C1), f) + d;
            f += g;
            g += f;
            s = s[20..];
        }

        g = BitOperations.RotateRight(g, 11) * C1;
        g = BitOperations.RotateRight(g, 17) * C1;
        f = BitOperations.RotateRight(f, 11) * C1;
        f = BitOperations.RotateRight(f, 17) * C1;
        h = Step(h + g);
        h = BitOperations.RotateRight(h, 17) * C1;
        h = Step(h + f);
        return BitOperations.RotateRight(h, 17) * C1;
    }

    private static uint UpTo4(ReadOnlySpan<byte> s)
    {
        uint b = 0, c = 9;
        foreach (var value in s)
        {
            // Bytes are read as signed, as in the reference implementation.
            b = (b * C1) + (uint)(sbyte)value;
            c ^= b;
        }
        return Fmix(Mur(b, Mur((uint)s.Length, c)));
    }

    private static uint From5To12(ReadOnlySpan<byte> s)
    {
        var length = s.Length;
        uint a = (uint)length, b = (uint)length * 5, c = 9, d = b;
        a += Word(s, 0);
        b += Word(s, length - 4);
        c += Word(s, (length >> 1) & 4);
        return Fmix(Mur(c, Mur(b, Mur(a, d))));
    }

    private static uint From13To24(ReadOnlySpan<byte> s)
    {
        var length = s.Length;
        var a = Word(s, (length >> 1) - 4);
        var b = Word(s, 4);
        var c = Word(s, length - 8);
        var d = Word(s, length >> 1);
        var e = Word(s, 0);
        var f = Word(s, length - 4);
        var h = (d * C1) + (uint)length;
        a = BitOperations.RotateRight(a, 12) + f;
        h = Mur(c, h) + a;
        a = BitOperations.RotateRight(a, 3) + c;
        h = Mur(e, h) + a;
        a = BitOperations.RotateRight(a + f, 12) + d;
        h = Mur(b, h) + a;
        return Fmix(h);
    }

    private static uint Word(ReadOnlySpan<byte> s, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(s[offset..]);

    private static uint Scramble(uint word) => BitOperations.RotateRight(word * C1, 17) * C2;

    private static uint Step(uint h) => (BitOperations.RotateRight(h, 19) * 5) + MixAdd;

    // Murmur3's combination of two 32-bit values.
    private static uint Mur(uint a, uint h) => Step(h ^ Scramble(a));

    // Murmur3's finaliser.
    private static uint Fmix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
