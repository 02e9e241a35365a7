namespace Serverless.Domain.Search;

/// <summary>
/// M. F. Porter's English stemmer (1980), following the structure of his reference ANSI C version, including
/// its two documented departures (<c>bli -> ble</c>, <c>logi -> log</c>). PostgreSQL's <c>english</c> text
/// search configuration, which the seed's full-text index uses, stems with the same family of algorithm.
/// Only words of ASCII letters a-z are stemmed; anything else is returned unchanged.
/// </summary>
public static class PorterStemmer
{
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length <= 2 || !IsLowerAsciiWord(word))
        {
            return word;
        }

        var state = new State(word.ToCharArray());
        state.Step1ab();
        if (state.K > 0)
        {
            state.Step1c();
            state.Step2();
            state.Step3();
            state.Step4();
            state.Step5();
        }

        return new string(state.B, 0, state.K + 1);
    }

    private static bool IsLowerAsciiWord(string word)
    {
        foreach (var c in word)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The buffer <see cref="B"/> holds the word; <see cref="K"/> is its last index, <c>j</c> the end of a matched stem.</summary>
    private sealed class State(char[] buffer)
    {
        private int _j;

        public char[] B { get; } = buffer;

        public int K { get; private set; } = buffer.Length - 1;

        /// <summary>True when B[i] is a consonant; 'y' is one unless it follows a consonant.</summary>
        private bool Cons(int i) => B[i] switch
        {
            'a' or 'e' or 'i' or 'o' or 'u' => false,
            'y' => i == 0 || !Cons(i - 1),
            _ => true,
        };

        /// <summary>The measure m of B[0.._j]: the number of vowel-consonant sequences in [C](VC)^m[V].</summary>
        private int M()
        {
            var n = 0;
            var i = 0;
            while (true)
            {
                if (i > _j)
                {
                    return n;
                }

                if (!Cons(i))
                {
                    break;
                }

                i++;
            }

            i++;
            while (true)
            {
                while (true)
                {
                    if (i > _j)
                    {
                        return n;
                    }

                    if (Cons(i))
                    {
                        break;
                    }

                    i++;
                }

                i++;
                n++;
                while (true)
                {
                    if (i > _j)
                    {
                        return n;
                    }

                    if (!Cons(i))
                    {
                        break;
                    }

                    i++;
                }

                i++;
            }
        }

        private bool VowelInStem()
        {
            for (var i = 0; i <= _j; i++)
            {
                if (!Cons(i))
                {
                    return true;
                }
            }

            return false;
        }

        private bool DoubleConsonant(int j) => j >= 1 && B[j] == B[j - 1] && Cons(j);

        /// <summary>B[i-2..i] is consonant-vowel-consonant and the last is not w, x or y (e.g. hop, not snow).</summary>
        private bool Cvc(int i)
        {
            if (i < 2 || !Cons(i) || Cons(i - 1) || !Cons(i - 2))
            {
                return false;
            }

            return B[i] is not ('w' or 'x' or 'y');
        }

        private bool Ends(string suffix)
        {
            var length = suffix.Length;
            if (length > K + 1 || B[K] != suffix[^1])
            {
                return false;
            }

            if (!B.AsSpan(K - length + 1, length).SequenceEqual(suffix))
            {
                return false;
            }

            _j = K - length;
            return true;
        }

        private void SetTo(string replacement)
        {
            replacement.CopyTo(0, B, _j + 1, replacement.Length);
            K = _j + replacement.Length;
        }

        private void ReplaceIfMeasured(string replacement)
        {
            if (M() > 0)
            {
                SetTo(replacement);
            }
        }

        /// <summary>Plurals and -ed / -ing: caresses -> caress, ponies -> poni, hopping -> hop, filing -> file.</summary>
        public void Step1ab()
        {
            if (B[K] == 's')
            {
                if (Ends("sses"))
                {
                    K -= 2;
                }
                else if (Ends("ies"))
                {
                    SetTo("i");
                }
                else if (B[K - 1] != 's')
                {
                    K--;
                }
            }

            if (Ends("eed"))
            {
                if (M() > 0)
                {
                    K--;
                }
            }
            else if ((Ends("ed") || Ends("ing")) && VowelInStem())
            {
                K = _j;
                if (Ends("at"))
                {
                    SetTo("ate");
                }
                else if (Ends("bl"))
                {
                    SetTo("ble");
                }
                else if (Ends("iz"))
                {
                    SetTo("ize");
                }
                else if (DoubleConsonant(K))
                {
                    K--;
                    if (B[K] is 'l' or 's' or 'z')
                    {
                        K++;
                    }
                }
                else
                {
                    _j = K;
                    if (M() == 1 && Cvc(K))
                    {
                        SetTo("e");
                    }
                }
            }
        }

        /// <summary>Terminal y to i when there is another vowel in the stem: happy -> happi.</summary>
        public void Step1c()
        {
            if (Ends("y") && VowelInStem())
            {
                B[K] = 'i';
            }
        }

        /// <summary>Double suffixes to single ones: relational -> relate, conditional -> condition.</summary>
        public void Step2()
        {
            switch (B[K - 1])
            {
                case 'a':
                    _ = TryReplace(("ational", "ate"), ("tional", "tion"));
                    break;
                case 'c':
                    _ = TryReplace(("enci", "ence"), ("anci", "ance"));
                    break;
                case 'e':
                    _ = TryReplace(("izer", "ize"));
                    break;
                case 'l':
                    _ = TryReplace(("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"));
                    break;
                case 'o':
                    _ = TryReplace(("ization", "ize"), ("ation", "ate"), ("ator", "ate"));
                    break;
                case 's':
                    _ = TryReplace(("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"));
                    break;
                case 't':
                    _ = TryReplace(("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"));
                    break;
                case 'g':
                    _ = TryReplace(("logi", "log"));
                    break;
                default:
                    break;
            }
        }

        /// <summary>-ic-, -full, -ness etc.: triplicate -> triplic, hopeful -> hope, goodness -> good.</summary>
        public void Step3()
        {
            switch (B[K])
            {
                case 'e':
                    _ = TryReplace(("icate", "ic"), ("ative", ""), ("alize", "al"));
                    break;
                case 'i':
                    _ = TryReplace(("iciti", "ic"));
                    break;
                case 'l':
                    _ = TryReplace(("ical", "ic"), ("ful", ""));
                    break;
                case 's':
                    _ = TryReplace(("ness", ""));
                    break;
                default:
                    break;
            }
        }

        /// <summary>Removes -ant, -ence etc. when the remaining stem has m &gt; 1: adjustment -> adjust.</summary>
        public void Step4()
        {
            var matched = B[K - 1] switch
            {
                'a' => Ends("al"),
                'c' => Ends("ance") || Ends("ence"),
                'e' => Ends("er"),
                'i' => Ends("ic"),
                'l' => Ends("able") || Ends("ible"),
                'n' => Ends("ant") || Ends("ement") || Ends("ment") || Ends("ent"),
                'o' => (Ends("ion") && _j >= 0 && B[_j] is 's' or 't') || Ends("ou"),
                's' => Ends("ism"),
                't' => Ends("ate") || Ends("iti"),
                'u' => Ends("ous"),
                'v' => Ends("ive"),
                'z' => Ends("ize"),
                _ => false,
            };

            if (matched && M() > 1)
            {
                K = _j;
            }
        }

        /// <summary>Final -e and -ll: probate -> probat, rate stays, controll -> control.</summary>
        public void Step5()
        {
            _j = K;
            if (B[K] == 'e')
            {
                var m = M();
                if (m > 1 || (m == 1 && !Cvc(K - 1)))
                {
                    K--;
                }
            }

            if (B[K] == 'l' && DoubleConsonant(K))
            {
                _j = K;
                if (M() > 1)
                {
                    K--;
                }
            }
        }

        /// <summary>The first suffix that matches decides, as in the reference switch; it is replaced only when m &gt; 0.</summary>
        private bool TryReplace(params (string Suffix, string Replacement)[] rules)
        {
            foreach (var (suffix, replacement) in rules)
            {
                if (Ends(suffix))
                {
                    ReplaceIfMeasured(replacement);
                    return true;
                }
            }

            return false;
        }
    }
}
