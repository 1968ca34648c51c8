import pandas as pd, numpy as np, scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
import sys
df=pd.read_csv('data/AnnoMI-simple.csv'); df=df[df.transcript_id%5!=0].reset_index(drop=True)
E=np.load(sys.argv[1] if len(sys.argv)>1 else './emb_ctx.npy'); E=E/np.linalg.norm(E,axis=1,keepdims=True)
rows=[]
for tid,g in df.groupby('transcript_id', sort=False):
    idx=g.sort_values('utterance_id').index.tolist()
    for k,i in enumerate(idx):
        if df.interlocutor[i]!='client': continue
        pj=next((j for j in reversed(idx[:k]) if df.interlocutor[j]=='therapist'),None)
        cj=[j for j in reversed(idx[:k]) if df.interlocutor[j]=='client'][:2]
        rows.append(dict(i=i,pj=pj,cj=cj,fold=tid%5,y=df.client_talk_type[i],t=str(df.utterance_text[i]),p=str(df.utterance_text[pj]) if pj is not None else ''))
d=pd.DataFrame(rows)
Z=np.zeros(384,np.float32)
Et=np.stack([E[i] for i in d.i]); Ep=np.stack([E[int(j)] if j==j and j is not None else Z for j in d.pj])
def run(we, wp=0.0, C=4, tfidf=True):
    preds=np.empty(len(d),dtype=object)
    for f in [1,2,3,4]:
        tr=(d.fold!=f).values; te=~tr
        A=[];B=[]
        if tfidf:
            for col,w in [('t',1.0),('p',0.5)]:
                v=TfidfVectorizer(ngram_range=(1,2),min_df=2,sublinear_tf=True)
                A.append(w*v.fit_transform(d[col][tr])); B.append(w*v.transform(d[col][te]))
        if we: A.append(sp.csr_matrix(we*Et[tr])); B.append(sp.csr_matrix(we*Et[te]))
        if wp: A.append(sp.csr_matrix(wp*Ep[tr])); B.append(sp.csr_matrix(wp*Ep[te]))
        m=LogisticRegression(C=C,class_weight='balanced',max_iter=3000).fit(sp.hstack(A).tocsr(),d.y[tr])
        preds[te]=m.predict(sp.hstack(B).tocsr())
    return round(f1_score(d.y,preds,average='macro'),4)
print('tfidf only', run(0))
print('emb only', run(1.0,tfidf=False))
for we in [0.5,1.0,2.0]: print('tfidf+emb',we, run(we))
print('tfidf+emb1+prev emb .5', run(1.0,0.5))
