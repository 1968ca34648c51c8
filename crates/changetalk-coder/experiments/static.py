import sys; sys.path.insert(0,'.'); from bert import *
import numpy as np, pandas as pd
V=30522
vecs=np.zeros((V,384),np.float32)
for s in range(0,V,512):
    ids=[[101,t,102] for t in range(s,min(V,s+512))]
    # take the token's own output vector (position 1)
    B=len(ids); 
    vecs[s:s+B]=encode_batch(ids)  # mean-pooled over 3 tokens
np.save('./static_vecs.npy',vecs)
df=pd.read_csv('data/AnnoMI-simple.csv'); df=df[df.transcript_id%5!=0]
out=[]
for t in df.utterance_text.astype(str):
    ids=tok.encode(t).ids[1:-1]
    # SIF-like: uniform mean
    out.append(vecs[ids].mean(0) if ids else np.zeros(384,np.float32))
np.save('./emb_static.npy',np.stack(out))
