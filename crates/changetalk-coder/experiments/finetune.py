"""Fine-tunes all-MiniLM-L6-v2 for AnnoMI client talk (change / neutral / sustain).
Reads folds 1-4 only (transcript_id % 5 != 0): trains on folds 1-3, tests on fold 4, and
compares with TF-IDF + logistic regression on the same split. Input: the therapist's previous
turn and the client's utterance as a sentence pair."""
import sys, time, math, json, numpy as np, pandas as pd, torch, torch.nn as nn
from safetensors.torch import load_file
from tokenizers import Tokenizer
from sklearn.metrics import f1_score
torch.manual_seed(0); np.random.seed(0)
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
EPOCHS = float(sys.argv[2]) if len(sys.argv) > 2 else 2
M = 'minilm/'
df = pd.read_csv('data/AnnoMI-simple.csv')
df = df[df.transcript_id % 5 != 0].sort_values(['transcript_id', 'utterance_id']).reset_index(drop=True)
rows = []
for tid, g in df.groupby('transcript_id', sort=False):
    prev = ''
    for _, r in g.iterrows():
        if r.interlocutor == 'therapist':
            prev = str(r.utterance_text)
        else:
            rows.append(dict(fold=tid % 5, y=r.client_talk_type, t=str(r.utterance_text), p=prev))
d = pd.DataFrame(rows)
classes = sorted(d.y.unique()); cix = {c: i for i, c in enumerate(classes)}
tr = d[d.fold != 4].reset_index(drop=True); te = d[d.fold == 4].reset_index(drop=True)
print('classes', classes, 'train', len(tr), 'test', len(te), flush=True)

# Baseline on the same split.
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
import scipy.sparse as sp
A, B = [], []
for col, w in [('t', 1.0), ('p', 0.5)]:
    v = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    A.append(w * v.fit_transform(tr[col])); B.append(w * v.transform(te[col]))
lr = LogisticRegression(C=4, class_weight='balanced', max_iter=3000).fit(sp.hstack(A).tocsr(), tr.y)
base = f1_score(te.y, lr.predict(sp.hstack(B).tocsr()), average='macro')
print('tfidf+lr macro-F1 (train 1-3, test 4):', round(base, 4), flush=True)

tok = Tokenizer.from_file(M + 'tokenizer.json'); tok.no_padding(); tok.enable_truncation(128)
W = load_file(M + 'model.safetensors')
W = {k.replace('bert.', ''): v for k, v in W.items()}

class Layer(nn.Module):
    def __init__(s):
        super().__init__()
        s.q, s.k, s.v, s.o = (nn.Linear(384, 384) for _ in range(4))
        s.ln1, s.ln2 = nn.LayerNorm(384, eps=1e-12), nn.LayerNorm(384, eps=1e-12)
        s.i, s.out = nn.Linear(384, 1536), nn.Linear(1536, 384)
    def forward(s, x, mask):
        B, T, _ = x.shape
        h = lambda z: z.view(B, T, 12, 32).transpose(1, 2)
        a = torch.softmax(h(s.q(x)) @ h(s.k(x)).transpose(-1, -2) / math.sqrt(32) + (1 - mask)[:, None, None, :] * -1e9, -1)
        a = (a @ h(s.v(x))).transpose(1, 2).reshape(B, T, 384)
        x = s.ln1(s.o(a) + x)
        return s.ln2(s.out(nn.functional.gelu(s.i(x))) + x)

class Enc(nn.Module):
    def __init__(s):
        super().__init__()
        s.word = nn.Embedding(30522, 384); s.pos = nn.Embedding(512, 384); s.typ = nn.Embedding(2, 384)
        s.ln = nn.LayerNorm(384, eps=1e-12); s.layers = nn.ModuleList(Layer() for _ in range(6))
        s.drop = nn.Dropout(0.1); s.head = nn.Linear(384, len(classes))
    def forward(s, ids, typ, mask):
        T = ids.shape[1]
        x = s.ln(s.word(ids) + s.pos.weight[:T][None] + s.typ(typ))
        for l in s.layers:
            x = l(x, mask)
        x = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
        return s.head(s.drop(x))

m = Enc()
sd = {'word.weight': W['embeddings.word_embeddings.weight'], 'pos.weight': W['embeddings.position_embeddings.weight'],
      'typ.weight': W['embeddings.token_type_embeddings.weight'], 'ln.weight': W['embeddings.LayerNorm.weight'], 'ln.bias': W['embeddings.LayerNorm.bias']}
names = {'q': 'attention.self.query', 'k': 'attention.self.key', 'v': 'attention.self.value', 'o': 'attention.output.dense',
         'ln1': 'attention.output.LayerNorm', 'i': 'intermediate.dense', 'out': 'output.dense', 'ln2': 'output.LayerNorm'}
for l in range(6):
    for a, b in names.items():
        for p in ('weight', 'bias'):
            sd[f'layers.{l}.{a}.{p}'] = W[f'encoder.layer.{l}.{b}.{p}']
missing = m.load_state_dict(sd, strict=False)
print('not from the checkpoint:', missing.missing_keys, flush=True)

def enc(frame):
    out = []
    for p, t in zip(frame.p, frame.t):
        e = tok.encode(p[-400:], t)  # a pair: [CLS] previous [SEP] utterance [SEP]
        out.append((e.ids, e.type_ids))
    return out
Xtr, Xte = enc(tr), enc(te)
ytr = torch.tensor([cix[c] for c in tr.y])
def batch(items):
    T = max(len(i) for i, _ in items)
    ids = torch.zeros(len(items), T, dtype=torch.long); typ = torch.zeros_like(ids); mask = torch.zeros(len(items), T)
    for b, (i, t) in enumerate(items):
        ids[b, :len(i)] = torch.tensor(i); typ[b, :len(t)] = torch.tensor(t); mask[b, :len(i)] = 1
    return ids, typ, mask
counts = np.bincount(ytr.numpy(), minlength=len(classes))
loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(len(ytr) / (len(classes) * counts), dtype=torch.float))
opt = torch.optim.AdamW(m.parameters(), lr=4e-5, weight_decay=0.01)
BS = 32; steps = int(math.ceil(len(Xtr) / BS) * EPOCHS)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / (0.06 * steps)) * max(0.0, (steps - s) / steps))
def evaluate():
    m.eval(); preds = []
    order = np.argsort([len(i) for i, _ in Xte]); out = np.zeros(len(Xte), int)
    with torch.no_grad():
        for s in range(0, len(Xte), 64):
            idx = order[s:s + 64]
            out[idx] = m(*batch([Xte[i] for i in idx])).argmax(-1).numpy()
    m.train()
    return f1_score(te.y, [classes[i] for i in out], average='macro')
step = 0; t0 = time.time()
m.train()
while step < steps:
    perm = np.random.permutation(len(Xtr))
    for s in range(0, len(perm), BS):
        if step >= steps: break
        idx = perm[s:s + BS]
        loss = loss_fn(m(*batch([Xtr[i] for i in idx])), ytr[idx])
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step(); sched.step(); step += 1
        if step % 50 == 0:
            print(f'step {step}/{steps} loss {loss.item():.3f} {time.time() - t0:.0f}s', flush=True)
        if step % int(math.ceil(len(Xtr) / BS)) == 0:
            print('epoch done: macro-F1 fold 4 =', round(evaluate(), 4), flush=True)
f1 = evaluate()
print('fine-tuned MiniLM macro-F1 (train 1-3, test 4):', round(f1, 4), flush=True)
# Speed on one thread, batch 1 (as the coder codes one reply) and batch 64.
torch.set_num_threads(1); m.eval()
with torch.no_grad():
    t = time.time(); n = 200
    for k in range(n): m(*batch([Xte[k]]))
    one = n / (time.time() - t)
    t = time.time()
    for s in range(0, 832, 64): m(*batch(Xte[s:s + 64]))
    b64 = 832 / (time.time() - t)
params = sum(p.numel() for p in m.parameters())
print(json.dumps(dict(baseline=round(base, 4), finetuned=round(f1, 4), per_s_batch1=round(one), per_s_batch64=round(b64), params=params, fp32_mb=round(params * 4 / 1e6, 1))), flush=True)
